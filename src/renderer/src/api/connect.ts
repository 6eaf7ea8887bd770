// Picks the transport once at start-up. Nothing else in the renderer knows which one it runs on.

import { createApiClient } from '../../../shared/api-client';
import { BRIDGE_PATH, MEDIA_PATH } from '../../../shared/bridge-protocol';
import { MEDIA_SCHEME, encodeMediaPath } from '../../../shared/media-url';
import type { Connection } from './client';
import { createWsTransport, type ConnectionState } from './ws-transport';

export function connect(): Connection & { onStateChange(listener: (state: ConnectionState) => void): void } {
  if (window.maskbench) {
    return {
      api: window.maskbench,
      mediaUrl: (path) => `${MEDIA_SCHEME}://file/${encodeMediaPath(path)}`,
      onStateChange: (listener) => listener('open'),
    };
  }
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const transport = createWsTransport(`ws://${location.host}${BRIDGE_PATH}?token=${encodeURIComponent(token)}`);
  return {
    api: createApiClient(transport),
    // The server gave this page a cookie with the token, so media URLs need none of their own.
    mediaUrl: (path) => `${MEDIA_PATH}${encodeMediaPath(path)}`,
    onStateChange: (listener) => transport.onStateChange(listener),
  };
}
