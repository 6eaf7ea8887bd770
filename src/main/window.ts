// eng-disable AUXCLICK_JS_CHECK (reviewed: a middle-click opens no window and navigates nowhere, as guards.ts refuses both)
// The app's one window, and which page it shows.

import { BrowserWindow, app } from 'electron';
import { join } from 'node:path';
import { closeComputeWindow } from './compute-window';
import { RENDERER_ORIGIN } from './protocols';

let mainWindow: BrowserWindow | null = null;

/** Whether `window` is the app's own window: IPC from anything else is refused. */
export function isOurWindow(window: BrowserWindow | null): boolean {
  return window !== null && window === mainWindow;
}

export function getMainWindow(): BrowserWindow | null {
  return mainWindow;
}

/** Whether `url` is a page of our renderer: the built one, or the dev server the app was started with. */
export function isRendererUrl(url: string): boolean {
  return originOf(url) === originOf(rendererUrl());
}

/** Creates the one app window, or returns it when it exists. */
export function createMainWindow(): BrowserWindow {
  if (mainWindow) return mainWindow;
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: '#16181d',
    title: 'Maskbench',
    webPreferences: {
      // Reviewed: it exposes one function per API method, never ipcRenderer, and ipc.ts answers only this window's main frame.
      preload: join(__dirname, '../preload/index.js'), // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  mainWindow = window;
  window.on('closed', () => {
    mainWindow = null;
    closeComputeWindow();
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(rendererUrl());
  return window;
}

let chosenUrl: string | undefined;

/** The built renderer, or in `npm run dev` the dev server: only on this machine, since the page gets our preload. */
function rendererUrl(): string {
  chosenUrl ??= devServerUrl() ?? `${RENDERER_ORIGIN}/index.html`;
  return chosenUrl;
}

function devServerUrl(): string | null {
  const url = process.env.ELECTRON_RENDERER_URL;
  if (app.isPackaged || !url) return null;
  const parsed = URL.parse(url);
  if (parsed?.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname)) return url;
  console.warn(`Ignoring ELECTRON_RENDERER_URL=${url}: the preload is given only to a dev server at http://localhost, 127.0.0.1 or [::1]`);
  return null;
}

/** Scheme and host (with port): what an origin is, also for our own scheme, whose URL.origin Node leaves "null". */
function originOf(url: string): string | null {
  const parsed = URL.parse(url);
  return parsed ? `${parsed.protocol}//${parsed.host}` : null;
}
