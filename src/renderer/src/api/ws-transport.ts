// The browser-mode transport: API calls and events over one WebSocket to `maskbench serve`, held by a
// worker (socket-worker.ts) so that large results arrive while the page is busy.

import type { ApiMethod, CallResult, WorkbenchEvent } from '../../../shared/api';
import type { ApiTransport } from '../../../shared/api-client';
import { decodeBridgeMessage, type BridgeCall } from '../../../shared/bridge-protocol';
import type { SocketMessage, SocketOrder } from './socket-messages';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface WsTransport extends ApiTransport {
  onStateChange(listener: (state: ConnectionState) => void): void;
}

export function createWsTransport(url: string): WsTransport {
  const worker = new Worker(new URL('./socket-worker.ts', import.meta.url), { type: 'module' });
  const order = (message: SocketOrder) => worker.postMessage(message);
  const pending = new Map<number, (result: CallResult) => void>();
  const eventListeners = new Set<(event: WorkbenchEvent) => void>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  let opened: () => void = () => {};
  const open = new Promise<void>((resolve) => (opened = resolve));
  let nextId = 1;

  const setState = (next: ConnectionState) => {
    state = next;
    stateListeners.forEach((listener) => listener(next));
  };
  const closed = () => {
    setState('closed');
    for (const resolve of pending.values()) resolve(disconnected());
    pending.clear();
    opened();
  };
  worker.addEventListener('message', ({ data: message }: MessageEvent<SocketMessage>) => {
    if (message.type === 'open') {
      setState('open');
      opened();
    } else if (message.type === 'close') closed();
    else receive(message.data);
  });
  // A worker that fails to start is a connection that never opens.
  worker.addEventListener('error', closed);
  order({ type: 'open', url });

  function receive(raw: string | ArrayBuffer): void {
    const data = decodeBridgeMessage(raw);
    if (data.type === 'event') {
      eventListeners.forEach((listener) => listener(data.event));
    } else if (data.id !== null) {
      const { type: _type, id, ...result } = data;
      pending.get(id)?.(result);
      pending.delete(id);
    }
  }

  return {
    async call(method: ApiMethod, request: object): Promise<CallResult> {
      if (state === 'connecting') await open;
      if (state !== 'open') return disconnected();
      const id = nextId++;
      const call: BridgeCall = { id, method, request };
      return new Promise((resolve) => {
        pending.set(id, resolve);
        order({ type: 'send', text: JSON.stringify(call) });
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
