// The Electron shell's own code, run: the BUILT main process (out/main/index.js) started in Node against
// a recording stand-in for Electron (test/support/electron-stand-in.ts). What Electron itself does with
// these settings cannot be tested here (DESIGN.md); what the shell asks of it, and answers, can.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiMethods, type ApiMethod } from '../../src/shared/api';
import { EVENT_CHANNEL, methodChannel } from '../../src/shared/ipc-channels';
import { COMPUTE_CHANNEL, decodeFrame, encodeFrame, type ToHost } from '../../src/shared/compute';
import { MEDIA_SCHEME, encodeMediaPath } from '../../src/shared/media-url';
import { ROOT, assertBuilt } from '../support/built-app';
import { writeSyntheticDataset } from '../support/synthetic-dataset';
import { ElectronStandIn, runWithStandIn, standInEvent, type StandInIpcEvent } from '../support/electron-stand-in';

const MAIN = join(ROOT, 'out/main/index.js');
const RENDERER = 'app://maskbench/index.html';
const COMPUTE = 'app://maskbench/compute.html';

let dataDir: string;
let project: string;
let outside: string;

/** Starts a fresh copy of the built main process, as `electron .` would with this environment, once its window is up. */
async function startShell(options: { rendererUrl?: string; packaged?: boolean } = {}): Promise<ElectronStandIn> {
  const shell = new ElectronStandIn();
  shell.app.isPackaged = options.packaged ?? false;
  const saved = { data: process.env.MASKBENCH_DATA_DIR, renderer: process.env.ELECTRON_RENDERER_URL };
  process.env.MASKBENCH_DATA_DIR = dataDir;
  setEnv('ELECTRON_RENDERER_URL', options.rendererUrl);
  try {
    runWithStandIn(MAIN, shell);
    await vi.waitFor(() => expect(shell.windows).toHaveLength(1));
  } finally {
    setEnv('MASKBENCH_DATA_DIR', saved.data);
    setEnv('ELECTRON_RENDERER_URL', saved.renderer);
  }
  return shell;
}

function setEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** The events the core pushed to the window. */
const eventsSent = (shell: ElectronStandIn) =>
  shell.windows[0]!.webContents.sent.filter((message) => message.channel === EVENT_CHANNEL).map((message) => message.args[0] as { type: string });

function call(shell: ElectronStandIn, method: ApiMethod, request: unknown, event?: Partial<StandInIpcEvent>): Promise<unknown> {
  const contents = shell.windows[0]!.webContents;
  const handler = shell.ipcMain.handlers.get(methodChannel(method));
  if (!handler) throw new Error(`No IPC handler for ${method}`);
  return handler({ sender: contents, senderFrame: { parent: null, url: RENDERER }, ...event }, request);
}

function fetchFrom(shell: ElectronStandIn, url: string, headers: Record<string, string> = {}): Promise<Response> {
  const scheme = new URL(url).protocol.slice(0, -1);
  const handler = shell.protocol.handlers.get(scheme);
  if (!handler) throw new Error(`No protocol handler for ${scheme}`);
  return handler(new Request(url, { headers }));
}

const mediaUrl = (path: string) => `${MEDIA_SCHEME}://file/${encodeMediaPath(path)}`;

describe('the built Electron shell', () => {
  let shell: ElectronStandIn;

  beforeAll(async () => {
    assertBuilt();
    dataDir = await realpath(await mkdtemp(join(tmpdir(), 'maskbench-shell-')));
    project = join(dataDir, 'project');
    outside = join(dataDir, 'outside');
    await mkdir(project);
    await mkdir(outside);
    await writeFile(join(project, 'clip.mp4'), Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256)));
    await writeFile(join(outside, 'secret.txt'), 'not for the window');
    await writeSyntheticDataset(project, 'colours', { size: 8 });
    // A link inside the project that leads out of it.
    await symlink(outside, join(project, 'elsewhere'));
    await symlink(join(outside, 'missing.xml'), join(project, 'dangling'));
    // Start-up reopens the last project: this one, so no sample project is generated.
    const recent = { version: 1, projects: [{ path: project, name: 'project', openedAt: new Date().toISOString() }] };
    await writeFile(join(dataDir, 'recent-projects.json'), JSON.stringify(recent));
    shell = await startShell();
    await vi.waitFor(() => expect(eventsSent(shell).map((event) => event.type)).toContain('project-opened'));
  });

  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('registers both schemes as privileged before the app is ready, and answers each', () => {
    const privileges = { standard: true, secure: true, supportFetchAPI: true, stream: true };
    expect(shell.protocol.privileged).toEqual([
      { scheme: 'app', privileges },
      { scheme: MEDIA_SCHEME, privileges },
    ]);
    expect([...shell.protocol.handlers.keys()].sort()).toEqual(['app', MEDIA_SCHEME].sort());
  });

  it('registers one IPC handler per API method, and no other', () => {
    expect([...shell.ipcMain.handlers.keys()].sort()).toEqual(apiMethods.map(methodChannel).sort());
  });

  it('opens one window with the secure settings and our preload, showing the renderer from app://', () => {
    const [window] = shell.windows;
    const preferences = window!.options.webPreferences!;
    expect(preferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(preferences.preload).toBe(join(ROOT, 'out/preload/index.js'));
    expect(existsSync(preferences.preload!)).toBe(true);
    expect(window!.loaded).toEqual([RENDERER]);
    expect(shell.Menu.applicationMenu).not.toBeNull();
  });

  it('serves the built renderer from app://maskbench, and nothing outside it', async () => {
    const page = await fetchFrom(shell, RENDERER);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<div id="app">');
    expect((await fetchFrom(shell, 'app://maskbench/..%2Fmain%2Findex.js')).status).toBe(404);
    expect((await fetchFrom(shell, 'app://other/index.html')).status).toBe(404);
  });

  it('answers calls from its window’s main frame, and refuses another window, a sub-frame and a foreign page', async () => {
    expect(await call(shell, 'appInfo', {})).toMatchObject({ ok: true, value: { host: 'electron', nativeDialogs: true } });
    const refused = { ok: false, error: { code: 'unauthorized' } };
    // Another window of ours (a devtools or helper window would be one), and something that is no window.
    expect(await call(shell, 'appInfo', {}, { sender: new shell.BrowserWindow({}).webContents })).toMatchObject(refused);
    expect(await call(shell, 'appInfo', {}, { sender: {} })).toMatchObject(refused);
    expect(await call(shell, 'appInfo', {}, { senderFrame: { parent: {}, url: RENDERER } })).toMatchObject(refused);
    expect(await call(shell, 'appInfo', {}, { senderFrame: { parent: null, url: 'https://example.org/' } })).toMatchObject(refused);
    expect(await call(shell, 'appInfo', {}, { senderFrame: null })).toMatchObject(refused);
  });

  it('serves project media with Range answers, and refuses files outside the project, through a link too', async () => {
    const part = await fetchFrom(shell, mediaUrl(join(project, 'clip.mp4')), { range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(part.headers.get('accept-ranges')).toBe('bytes');
    expect([...new Uint8Array(await part.arrayBuffer())]).toEqual(Array.from({ length: 100 }, (_, i) => (100 + i) % 256));
    expect((await fetchFrom(shell, mediaUrl(join(project, 'clip.mp4')), { range: 'bytes=5000-' })).status).toBe(416);
    expect((await fetchFrom(shell, mediaUrl(join(outside, 'secret.txt')))).status).toBe(403);
    expect((await fetchFrom(shell, mediaUrl(join(project, 'elsewhere', 'secret.txt')))).status).toBe(403);
  });

  it('refuses paths from the window that leave the project through a link', async () => {
    const forbidden = (field: string) => ({ ok: false, error: { code: 'forbidden-path', where: { field } } });
    expect(await call(shell, 'importAnnotations', { source: join(project, 'elsewhere', 'secret.txt') })).toMatchObject(forbidden('source'));
    expect(await call(shell, 'exportAnnotations', { format: 'cvat-video', out: join(project, 'elsewhere', 'out.xml') })).toMatchObject(forbidden('out'));
    expect(await call(shell, 'exportAnnotations', { format: 'cvat-video', out: join(project, 'elsewhere', 'new', 'out.xml') })).toMatchObject(forbidden('out'));
    // A link to nothing yet: writing through it would create the file outside.
    expect(await call(shell, 'exportAnnotations', { format: 'cvat-video', out: join(project, 'dangling') })).toMatchObject(forbidden('out'));
    // A path inside the project that does not exist yet is the project's: refused later for another reason (no annotations).
    expect(await call(shell, 'exportAnnotations', { format: 'cvat-video', out: join(project, 'exports', 'out.xml') })).not.toMatchObject({
      error: { code: 'forbidden-path' },
    });
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });

  it('grants the renderer’s main frame fullscreen alone, and no page any device', () => {
    const { permissionRequestHandler: request, permissionCheckHandler: check, devicePermissionHandler: device } = shell.defaultSession;
    const asked = (permission: string, requestingUrl: string, isMainFrame = true) => {
      let granted: boolean | undefined;
      request!(null, permission, (answer) => (granted = answer), { requestingUrl, isMainFrame });
      return granted;
    };
    expect(asked('fullscreen', RENDERER)).toBe(true);
    expect(asked('fullscreen', RENDERER, false)).toBe(false);
    expect(asked('fullscreen', 'https://example.org/')).toBe(false);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'unknown'])
      expect(asked(permission, RENDERER)).toBe(false);
    expect(check!(null, 'fullscreen', 'app://maskbench', { isMainFrame: true })).toBe(true);
    for (const permission of ['hid', 'serial', 'usb', 'media', 'clipboard-read'])
      expect(check!(null, permission, 'app://maskbench', { isMainFrame: true })).toBe(false);
    for (const deviceType of ['hid', 'serial', 'usb']) expect(device!({ deviceType, origin: 'app://maskbench' })).toBe(false);
  });

  it('keeps every frame on the renderer: no navigation, new window or webview', () => {
    const contents = shell.windows[0]!.webContents;
    const navigate = (url: string, isMainFrame: boolean) => {
      const event = standInEvent({ url, isMainFrame });
      contents.emit('will-frame-navigate', event);
      return !event.defaultPrevented;
    };
    expect(navigate('https://example.org/', true)).toBe(false);
    expect(navigate('app://maskbench/other.html', true)).toBe(false);
    expect(navigate(RENDERER, false)).toBe(false);
    // The dev server's reload of the page in place.
    expect(navigate(RENDERER, true)).toBe(true);
    expect(contents.windowOpenHandler!({ url: RENDERER })).toEqual({ action: 'deny' });
    const webview = standInEvent();
    contents.emit('will-attach-webview', webview);
    expect(webview.defaultPrevented).toBe(true);
  });

  it('loads a dev server only on this machine and only unpackaged: the page gets the preload', async () => {
    const shells: ElectronStandIn[] = [];
    // One after another: each reads the environment when its window opens.
    for (const options of [
      { rendererUrl: 'http://localhost:5173/' },
      { rendererUrl: 'http://[::1]:5173/' },
      { rendererUrl: 'http://192.168.1.20:5173/' },
      { rendererUrl: 'https://localhost:5173/' },
      { rendererUrl: 'http://localhost:5173/', packaged: true },
    ])
      shells.push(await startShell(options));
    expect(shells.map((started) => started.windows[0]!.loaded)).toEqual([
      ['http://localhost:5173/'],
      ['http://[::1]:5173/'],
      [RENDERER],
      [RENDERER],
      [RENDERER],
    ]);
    for (const started of shells) started.app.quit();
    await vi.waitFor(() => expect(shells.every((started) => started.app.quitted)).toBe(true));
  });

  it('trains a webgpu run in a hidden window of its own: opened when needed, never throttled, and a renderer that dies fails that run alone', async () => {
    if (process.platform === 'linux') expect(shell.app.commandLine.switches).toEqual([['enable-unsafe-webgpu'], ['enable-features', 'Vulkan']]);
    const options = { dataset: 'colours', model: 'simple-conv', backend: 'webgpu', epochs: 1, batchSize: 8 };
    expect(await call(shell, 'startTraining', { options })).toMatchObject({ ok: true });
    const computeWindow = () => shell.windows.find((window) => window.loaded.includes(COMPUTE));
    await vi.waitFor(() => expect(computeWindow()).toBeDefined());
    const hidden = computeWindow()!;
    const preferences = hidden.options.webPreferences!;
    expect(hidden.options.show).toBe(false);
    expect(preferences).toMatchObject({ backgroundThrottling: false, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(preferences.preload).toBe(join(ROOT, 'out/preload/compute.js'));
    expect(existsSync(preferences.preload!)).toBe(true);
    expect(hidden.loaded).toEqual([COMPUTE]);

    const [listener] = shell.ipcMain.listeners.get(COMPUTE_CHANNEL)!;
    const hello = encodeFrame({ type: 'hello', userAgent: 'stand-in', gpu: { webgpu: { missing: 'none here' }, webgl: { missing: 'none here' } } });
    // The app's window is not the compute page: its frames are ignored.
    listener!({ sender: shell.windows[0]!.webContents, senderFrame: { parent: null, url: RENDERER } }, hello);
    listener!({ sender: hidden.webContents, senderFrame: { parent: {}, url: COMPUTE } }, hello);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hidden.webContents.sent).toEqual([]);
    listener!({ sender: hidden.webContents, senderFrame: { parent: null, url: COMPUTE } }, hello);
    const sentTypes = () => hidden.webContents.sent.map((message) => decodeFrame<ToHost>(message.args[0] as Uint8Array).type);
    await vi.waitFor(() => expect(sentTypes()).toContain('start'), { timeout: 10_000 });
    expect(sentTypes()[0]).toBe('train');

    hidden.webContents.emit('render-process-gone', standInEvent(), { reason: 'crashed' });
    await vi.waitFor(() =>
      expect(eventsSent(shell)).toContainEqual(
        expect.objectContaining({
          type: 'job-failed',
          error: expect.objectContaining({ code: 'backend-lost', message: expect.stringContaining('its renderer process ended (crashed)') }),
        }),
      ),
    );
    expect(hidden.isDestroyed()).toBe(true);
  });

  // Last: the shell quits.
  it('quits only once running jobs have stopped', async () => {
    // Generating the sample project is a long job in a worker thread. Quit while it renders frames, where
    // it takes a cancel between two frames (its scene planning before that holds the thread for seconds).
    expect(await call(shell, 'openSampleProject', {})).toMatchObject({ ok: true });
    await vi.waitFor(() => expect(shell.log.some((entry) => entry.includes('Rendering frame'))).toBe(true), { timeout: 30_000 });
    shell.app.quit();
    expect(shell.app.quitted).toBe(false);
    await vi.waitFor(() => expect(shell.app.quitted).toBe(true), { timeout: 10_000 });
    const cancelled = shell.log.findIndex((entry) => entry.includes('"type":"job-cancelled"'));
    expect(cancelled).toBeGreaterThan(shell.log.indexOf('quit prevented'));
    expect(cancelled).toBeLessThan(shell.log.indexOf('quit'));
  });
});
