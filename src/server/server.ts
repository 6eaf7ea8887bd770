// Browser mode: the built renderer, the media routes and the API over a WebSocket, on 127.0.0.1 only,
// guarded by a random token. It runs the same core as the Electron main process.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import { WebSocketServer } from 'ws';
import { BRIDGE_PATH, MEDIA_PATH } from '../shared/bridge-protocol';
import { COMPUTE_PAGE, COMPUTE_PATH } from '../shared/compute';
import type { FileResponse } from '../core/media/file-response';
import { serveMedia } from '../core/media/serve-media';
import type { Workbench } from '../core/workbench';
import { TokenGuard } from './auth';
import { serveStatic } from './static-files';
import { setupWsBridge } from './ws-bridge';
import { MAX_COMPUTE_MESSAGE_BYTES, setupComputeLink } from './compute-link';

export const HOST = '127.0.0.1';

/** The page's calls are a few kilobytes; a megabyte is ample, and bounds what one client makes us buffer (ws closes with 1009 past it). */
const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Far more than a few tabs and compute pages open; past it new connections are dropped, leaving file descriptors for the project's own files. */
export const MAX_CONNECTIONS = 256;

export interface ServerOptions {
  workbench: Workbench;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port: number;
}

export interface RunningServer {
  /** The URL to open, with the token. */
  url: string;
  /** The compute page's, with the token: open it to train on webgpu or webgl. */
  computeUrl: string;
  port: number;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const server = createServer();
  server.maxConnections = MAX_CONNECTIONS;
  const port = () => (server.address() as AddressInfo).port;
  const guard = new TokenGuard(port);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const stopBridge = setupWsBridge(wss, options.workbench);
  const computeWss = new WebSocketServer({ noServer: true, maxPayload: MAX_COMPUTE_MESSAGE_BYTES });
  setupComputeLink(computeWss, options.workbench.computeHosts);

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    void handleRequest(request, response).catch((error: unknown) => {
      console.error('Request failed:', error);
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain' });
      response.end('Internal error');
    });
  });

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = requestUrl(request);
    if (!url || !isOurHost(request.headers.host, port()) || !guard.allows(request, url)) {
      response.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Unauthorized: open the URL that `maskbench serve` printed; it carries the access token.\n');
      return;
    }
    // Nothing here is for other sites: no page elsewhere may embed our media or scripts, even by guessing a URL.
    const headers: Record<string, string> = {
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Resource-Policy': 'same-origin',
    };
    if (url.searchParams.has('token')) headers['Set-Cookie'] = guard.cookie();
    const method = request.method ?? 'GET';
    const file = url.pathname.startsWith(MEDIA_PATH)
      ? await serveMedia(options.workbench.mediaRoots, url.pathname.slice(MEDIA_PATH.length), method, request.headers.range)
      : await serveStatic(options.rendererDir, url.pathname, method);
    send(response, file, headers);
  }

  server.on('upgrade', (request, socket, head) => {
    const url = requestUrl(request);
    const sameOrigin = request.headers.origin === undefined || isOurOrigin(request.headers.origin, port());
    const target = url?.pathname === BRIDGE_PATH ? wss : url?.pathname === COMPUTE_PATH ? computeWss : null;
    if (!url || !target || !isOurHost(request.headers.host, port()) || !sameOrigin || !guard.allows(request, url)) {
      // Node drops its own error listener from an upgrading socket: a client that resets now must not end the process.
      socket.on('error', () => socket.destroy());
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    target.handleUpgrade(request, socket, head, (ws) => target.emit('connection', ws, request));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  options.workbench.computeHosts.setOpener({
    // Without the token: the browser that shows Maskbench has it in a cookie, and the message must not
    // write it into logs. Another browser (a headless one) needs the address serve printed.
    hint: `open http://${HOST}:${port()}/${COMPUTE_PAGE} in the browser that shows Maskbench, or in another (a headless one, say) the compute page address that maskbench serve printed, with its token (see the README, "GPU in browser mode")`,
  });
  // Once listening, the server's errors are failed accepts (out of memory, say): the server carries on.
  server.on('error', (error) => console.error('The server could not accept a connection:', error));

  return {
    url: `http://${HOST}:${port()}/?token=${guard.token}`,
    computeUrl: `http://${HOST}:${port()}/${COMPUTE_PAGE}?token=${guard.token}`,
    port: port(),
    close: async () => {
      stopBridge();
      for (const client of [...wss.clients, ...computeWss.clients]) client.terminate();
      wss.close();
      computeWss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(response: ServerResponse, file: FileResponse, extraHeaders: Record<string, string>): void {
  response.writeHead(file.status, { ...file.headers, ...extraHeaders });
  // pipeline, not pipe: a client that goes away mid-file (a <video> seeking) must release the file.
  if (file.body) pipeline(file.body, response, () => {});
  else response.end();
}

/** The request's URL, or null for a target that is not one (`//`), which no browser sends. */
function requestUrl(request: IncomingMessage): URL | null {
  try {
    return new URL(request.url ?? '/', `http://${HOST}`);
  } catch {
    return null;
  }
}

// Only loopback names: a page on another site that rebinds its DNS to 127.0.0.1 still sends its own Host.
function isOurHost(host: string | undefined, port: number): boolean {
  return host === `${HOST}:${port}` || host === `localhost:${port}`;
}

function isOurOrigin(origin: string, port: number): boolean {
  return origin === `http://${HOST}:${port}` || origin === `http://localhost:${port}`;
}
