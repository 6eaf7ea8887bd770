import { existsSync } from 'node:fs';
import { mkdir, readdir, realpath, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { BridgeMessage } from '../../src/shared/bridge-protocol';
import { encodeMediaPath } from '../../src/shared/media-url';
import { startServer, type RunningServer } from '../../src/server/server';
import { useTempDirs } from '../support/temp-dir';
import { testWorkbench } from '../support/workbench';

describe('browser-mode server', () => {
  const tempDir = useTempDirs();
  let server: RunningServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  async function start() {
    const rendererDir = await tempDir();
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Maskbench</title>');
    await mkdir(join(rendererDir, 'assets'));
    await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    const project = await realpath(await tempDir());
    await writeFile(join(project, 'clip.mp4'), Buffer.from('0123456789'));
    const workbench = testWorkbench(await tempDir());
    await workbench.openProject({ path: project });
    server = await startServer({ workbench, rendererDir, port: 0 });
    const base = `http://127.0.0.1:${server.port}`;
    const token = new URL(server.url).searchParams.get('token')!;
    return { base, token, project, workbench };
  }

  function connect(url: string): Promise<{ socket: WebSocket; messages: BridgeMessage[] }> {
    const socket = new WebSocket(url);
    const messages: BridgeMessage[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(data.toString()) as BridgeMessage));
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve({ socket, messages }));
      socket.once('error', reject);
    });
  }

  async function next(messages: BridgeMessage[], predicate: (message: BridgeMessage) => boolean): Promise<BridgeMessage> {
    for (let waited = 0; waited < 5000; waited += 5) {
      const found = messages.find(predicate);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error('No such message arrived');
  }

  it('binds to 127.0.0.1 and prints a URL with a long random token', async () => {
    await start();
    expect(server!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
  });

  it('answers 401 without the token or with a wrong one, and serves the app with it', async () => {
    const { base, token } = await start();
    expect((await fetch(`${base}/`)).status).toBe(401);
    // One character off; a token that happened to end in 'x' made the old 'wrong' one right (1 run in 64).
    const wrong = `${token.slice(0, -1)}${token.endsWith('x') ? 'y' : 'x'}`;
    expect((await fetch(`${base}/?token=${wrong}`)).status).toBe(401);
    expect((await fetch(`${base}/assets/app.js`)).status).toBe(401);
    const page = await fetch(`${base}/?token=${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Maskbench</title>');
    // The page's own requests carry the token in the cookie it was given.
    const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
    expect(page.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await fetch(`${base}/assets/app.js`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${base}/assets/../../etc/passwd`, { headers: { cookie } })).status).toBe(404);
    expect((await fetch(`${base}/missing.js`, { headers: { cookie } })).status).toBe(404);
  });

  it('refuses requests that name another host (DNS rebinding)', async () => {
    const { base, token } = await start();
    // fetch() will not send a forged Host header, so use http.get.
    const status = (host: string) =>
      new Promise<number | undefined>((resolve, reject) => {
        get(`${base}/?token=${token}`, { headers: { host } }, (response) => {
          response.resume();
          resolve(response.statusCode);
        }).on('error', reject);
      });
    expect(await status('evil.example:80')).toBe(401);
    expect(await status(`localhost:${server!.port}`)).toBe(200);
  });

  it('serves project media with Range, and refuses paths outside the project', async () => {
    const { base, token, project } = await start();
    const media = await fetch(`${base}/media/${encodeMediaPath(join(project, 'clip.mp4'))}?token=${token}`, { headers: { range: 'bytes=3-5' } });
    expect(media.status).toBe(206);
    expect(media.headers.get('content-range')).toBe('bytes 3-5/10');
    expect(await media.text()).toBe('345');
    // No other site may embed the project's media.
    expect(media.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    const outside = await fetch(`${base}/media/${encodeMediaPath('/etc/hostname')}?token=${token}`);
    expect(outside.status).toBe(403);
    expect(await outside.json()).toMatchObject({ error: { code: 'forbidden-path' } });
  });

  it.runIf(existsSync('/proc/self/fd'))('releases the file when a client abandons a media request (a seeking <video>)', async () => {
    const { base, token, project } = await start();
    await writeFile(join(project, 'big.mp4'), Buffer.alloc(32 * 1024 * 1024));
    const url = `${base}/media/${encodeMediaPath(join(project, 'big.mp4'))}?token=${token}`;
    const openFiles = async () => (await readdir('/proc/self/fd')).length;
    const before = await openFiles();
    for (let i = 0; i < 20; i++) {
      const controller = new AbortController();
      const response = await fetch(url, { signal: controller.signal, headers: { range: 'bytes=0-' } });
      expect(response.status).toBe(206);
      controller.abort();
    }
    await expect.poll(openFiles, { timeout: 5000 }).toBeLessThanOrEqual(before + 2);
  });

  it('carries API calls and job events over the WebSocket', async () => {
    const { base, token } = await start();
    const { socket, messages } = await connect(`${base.replace('http', 'ws')}/api?token=${token}`);
    socket.send(JSON.stringify({ id: 1, method: 'appInfo', request: {} }));
    expect(await next(messages, (m) => m.type === 'result' && m.id === 1)).toMatchObject({ ok: true, value: { host: 'browser' } });
    socket.send(JSON.stringify({ id: 2, method: 'startDemoJob', request: { steps: 3, intervalMs: 1 } }));
    await next(messages, (m) => m.type === 'event' && m.event.type === 'job-done');
    const types = messages.filter((m) => m.type === 'event').map((m) => m.type === 'event' && m.event.type);
    expect(types[0]).toBe('job-started');
    expect(types).toContain('job-progress');
    socket.close();
  });

  it('answers malformed messages and unknown methods with errors and keeps the connection', async () => {
    const { base, token } = await start();
    const { socket, messages } = await connect(`${base.replace('http', 'ws')}/api?token=${token}`);
    socket.send('not json');
    expect(await next(messages, (m) => m.type === 'result' && m.id === null)).toMatchObject({ ok: false, error: { code: 'bad-message' } });
    socket.send(JSON.stringify({ id: 7, method: 'rmrf', request: {} }));
    expect(await next(messages, (m) => m.type === 'result' && m.id === 7)).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    socket.send(JSON.stringify({ id: 8, method: 'openProject', request: { path: '/definitely/not/here' } }));
    expect(await next(messages, (m) => m.type === 'result' && m.id === 8)).toMatchObject({ ok: false, error: { code: 'not-found' } });
    socket.send(JSON.stringify({ id: 9, method: 'currentProject', request: {} }));
    expect(await next(messages, (m) => m.type === 'result' && m.id === 9)).toMatchObject({ ok: true });
    socket.close();
  });

  it('refuses a WebSocket without the token, from another origin, or on another path', async () => {
    const { base, token } = await start();
    const ws = base.replace('http', 'ws');
    await expect(connect(`${ws}/api`)).rejects.toThrow(/401/);
    await expect(connect(`${ws}/api?token=wrong`)).rejects.toThrow(/401/);
    await expect(connect(`${ws}/elsewhere?token=${token}`)).rejects.toThrow(/401/);
    const foreign = new WebSocket(`${ws}/api?token=${token}`, { origin: 'http://evil.example' });
    await expect(new Promise((resolve, reject) => (foreign.once('open', resolve), foreign.once('error', reject)))).rejects.toThrow(/401/);
  });
});
