import { protocol } from 'electron';
import { Readable } from 'node:stream';
import { MEDIA_SCHEME } from '../shared/media-url';
import { serveMedia } from '../core/media/serve-media';
import type { Workbench } from '../core/workbench';

/** `stream: true` lets <video> read the protocol progressively; `standard` gives URLs a host and path. */
export function registerMediaScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true } }]);
}

/**
 * maskbench-media://file/<encoded absolute path>, answered by the same code as browser mode's /media/,
 * with our own Range handling (net.fetch ignores Range: electron#38749).
 */
export function setupMediaProtocol(workbench: Workbench): void {
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const segment = new URL(request.url).pathname.slice(1);
    const file = await serveMedia(workbench.mediaRoots, segment, request.method, request.headers.get('range'));
    const body = file.body ? (Readable.toWeb(file.body) as ReadableStream<Uint8Array>) : null;
    return new Response(body, { status: file.status, headers: file.headers });
  });
}
