// The app's two schemes. app://maskbench/ serves the built renderer: a real origin, so the page gets none
// of file://'s extra rights and its CSP's 'self' means our files alone. maskbench-media:// serves the
// open project's media. Both answer through the same functions as browser mode's server.

import { protocol } from 'electron';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MEDIA_SCHEME } from '../shared/media-url';
import type { FileResponse } from '../core/media/file-response';
import { serveMedia } from '../core/media/serve-media';
import type { Workbench } from '../core/workbench';
import { serveStatic } from '../server/static-files';

const RENDERER_SCHEME = 'app';
const RENDERER_HOST = 'maskbench';
/** The built renderer's origin; the window loads its index.html. */
export const RENDERER_ORIGIN = `${RENDERER_SCHEME}://${RENDERER_HOST}`;

/**
 * Must run before the app is ready, in one call (a later call replaces the schemes of an earlier one).
 * `standard` gives URLs an origin, a host and a path; `secure` makes pages a secure context; `stream`
 * lets <video> read media progressively.
 */
export function registerSchemes(): void {
  const privileges = { standard: true, secure: true, supportFetchAPI: true, stream: true };
  protocol.registerSchemesAsPrivileged([
    { scheme: RENDERER_SCHEME, privileges },
    { scheme: MEDIA_SCHEME, privileges },
  ]);
}

export function setupProtocols(workbench: Workbench): void {
  const rendererDir = join(__dirname, '../renderer');
  protocol.handle(RENDERER_SCHEME, async (request) => {
    const url = new URL(request.url);
    // Nothing outside out/renderer can be named, and no other host of the scheme answers.
    if (url.host !== RENDERER_HOST) return new Response(null, { status: 404 });
    return toResponse(await serveStatic(rendererDir, url.pathname, request.method));
  });
  // maskbench-media://file/<encoded absolute path>, with our own Range handling (net.fetch ignores Range: electron#38749).
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const segment = new URL(request.url).pathname.slice(1);
    return toResponse(await serveMedia(workbench.mediaRoots, segment, request.method, request.headers.get('range')));
  });
}

function toResponse(file: FileResponse): Response {
  const body = file.body ? (Readable.toWeb(file.body) as ReadableStream<Uint8Array>) : null;
  return new Response(body, { status: file.status, headers: file.headers });
}
