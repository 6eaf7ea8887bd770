// The browser-mode transport: API calls and events over one WebSocket to `maskbench serve`.

import type { ApiMethod, CallResult, WorkbenchEvent } from '../../../shared/api';
import type { ApiTransport } from '../../../shared/api-client';
import { decodeBridgeMessage, type BridgeCall } from '../../../shared/bridge-protocol';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface WsTransport extends ApiTransport {
  onStateChange(listener: (state: ConnectionState) => void): void;
}

export function createWsTransport(url: string): WsTransport {
  const socket = new WebSocket(url);
  // Binary frames (results holding typed arrays) are read in place, not copied into a Blob.
  socket.binaryType = 'arraybuffer';
  const pending = new Map<number, (result: CallResult) => void>();
  const eventListeners = new Set<(event: WorkbenchEvent) => void>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  const opened = new Promise<void>((resolve) => socket.addEventListener('open', () => resolve(), { once: true }));
  let nextId = 1;

  socket.addEventListener('open', () => stateListeners.forEach((listener) => listener('open')));
  socket.addEventListener('message', (message: MessageEvent<string | ArrayBuffer>) => {
    const data = decodeBridgeMessage(message.data);
    if (data.type === 'event') {
      eventListeners.forEach((listener) => listener(data.event));
    } else if (data.id !== null) {
      const { type: _type, id, ...result } = data;
      pending.get(id)?.(result);
      pending.delete(id);
    }
  });
  socket.addEventListener('close', () => {
    stateListeners.forEach((listener) => listener('closed'));
    for (const resolve of pending.values()) resolve(disconnected());
    pending.clear();
  });

  return {
    async call(method: ApiMethod, request: object): Promise<CallResult> {
      if (socket.readyState === WebSocket.CONNECTING) await opened;
      if (socket.readyState !== WebSocket.OPEN) return disconnected();
      const id = nextId++;
      const call: BridgeCall = { id, method, request };
      return new Promise((resolve) => {
        pending.set(id, resolve);
        socket.send(JSON.stringify(call));
      });
    },
    subscribe(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onStateChange(listener) {
      stateListeners.add(listener);
    },
  };
}

function disconnected(): CallResult {
  return { ok: false, error: { code: 'disconnected', message: 'Lost the connection to the Maskbench server: restart `maskbench serve` and reload this page' } };
}
