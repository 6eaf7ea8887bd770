// The API over a WebSocket: the browser-mode twin of the Electron IPC wiring. Calls are
// {id, method, request}; answers are {type: 'result', id, ...CallResult}; core events are pushed to
// every connected page as {type: 'event', event}. A client that sends anything else gets an error
// answer, or loses its connection; the server and its jobs carry on.

import type { RawData, WebSocket, WebSocketServer } from 'ws';
import type { WorkbenchApi } from '../shared/api';
import { encodeBridgeMessage, type BridgeMessage } from '../shared/bridge-protocol';
import { dispatch } from '../core/dispatch';
import { jsonTooDeepAt } from '../shared/json-depth';

/**
 * Far deeper than any request the page sends; deeper values would overflow the stack of whatever walks
 * them (the JSON.stringify that quotes a bad value in an error message).
 */
const MAX_DEPTH = 64;

export function setupWsBridge(wss: WebSocketServer, api: WorkbenchApi): () => void {
  const stopEvents = api.onEvent((event) => {
    for (const socket of wss.clients) send(socket, { type: 'event', event });
  });
  wss.on('connection', (socket) => {
    // ws reports a malformed frame or an oversized message by closing the socket (1002, 1007, 1009) and
    // emitting 'error'; with no listener, that error would end the process and every job in it.
    socket.on('error', (error) => console.warn(`Closed a WebSocket connection: ${error.message}`));
    socket.on('message', (data, isBinary) => {
      answer(api, socket, data, isBinary).catch((error: unknown) => console.error('Could not answer a WebSocket call:', error));
    });
  });
  return stopEvents;
}

async function answer(api: WorkbenchApi, socket: WebSocket, data: RawData, isBinary: boolean): Promise<void> {
  const message = isBinary ? null : parseCall(data.toString());
  if (!message) {
    const error = { code: 'bad-message' as const, message: `Expected a JSON object {id: number, method: string, request}, nested at most ${MAX_DEPTH} deep` };
    send(socket, { type: 'result', id: null, ok: false, error });
    return;
  }
  send(socket, { type: 'result', id: message.id, ...(await dispatch(api, message.method, message.request)) });
}

function parseCall(text: string): { id: number; method: string; request: unknown } | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || jsonTooDeepAt(text, MAX_DEPTH) >= 0) return null;
  const { id, method, request } = value as Record<string, unknown>;
  return typeof id === 'number' && typeof method === 'string' ? { id, method, request } : null;
}

function send(socket: WebSocket, message: BridgeMessage): void {
  // A call answered after its page went away has no one to tell.
  if (socket.readyState === socket.OPEN) socket.send(encodeBridgeMessage(message));
}
