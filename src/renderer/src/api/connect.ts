// Picks the transport once at start-up. Nothing else in the renderer knows which one it runs on.

import type { WorkbenchApi } from '../../../shared/api';
import { createApiClient } from '../../../shared/api-client';
import { BRIDGE_PATH } from '../../../shared/bridge-protocol';
import { createWsTransport, type ConnectionState } from './ws-transport';

export interface Connection {
  api: WorkbenchApi;
  onStateChange(listener: (state: ConnectionState) => void): void;
}

export function connect(): Connection {
  if (window.maskbench) {
    return {
      api: window.maskbench,
      onStateChange: (listener) => listener('open'),
    };
  }
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const transport = createWsTransport(`ws://${location.host}${BRIDGE_PATH}?token=${encodeURIComponent(token)}`);
  return {
    api: createApiClient(transport),
    onStateChange: (listener) => transport.onStateChange(listener),
  };
}
