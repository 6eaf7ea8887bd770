// The API over a WebSocket: the browser-mode twin of the Electron IPC wiring. Calls are
// {id, method, request}; answers are {type: 'result', id, ...CallResult}; core events are pushed to
// every connected page as {type: 'event', event}.

import type { WebSocket, WebSocketServer } from 'ws';
import type { WorkbenchApi } from '../shared/api';
import type { BridgeMessage } from '../shared/bridge-protocol';
import { dispatch } from '../core/dispatch';

export function setupWsBridge(wss: WebSocketServer, api: WorkbenchApi): () => void {
  const stopEvents = api.onEvent((event) => {
    for (const socket of wss.clients) send(socket, { type: 'event', event });
  });
  wss.on('connection', (socket) => {
    socket.on('message', async (data, isBinary) => {
      const message = isBinary ? undefined : parseCall(data.toString());
      if (!message) {
        send(socket, { type: 'result', id: null, ok: false, error: { code: 'bad-message', message: 'Expected a JSON object {id, method, request}' } });
        return;
      }
      send(socket, { type: 'result', id: message.id, ...(await dispatch(api, message.method, message.request)) });
    });
  });
  return stopEvents;
}

function parseCall(text: string): { id: number; method: unknown; request: unknown } | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const { id, method, request } = value as Record<string, unknown>;
    return typeof id === 'number' ? { id, method, request } : null;
  } catch {
    return null;
  }
}

function send(socket: WebSocket, message: BridgeMessage): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}
