import { BrowserWindow, app, session } from 'electron';
import { join } from 'node:path';

let mainWindow: BrowserWindow | null = null;

/** Whether `window` is the app's own window: IPC from anything else is refused. */
export function isOurWindow(window: BrowserWindow | null): boolean {
  return window !== null && window === mainWindow;
}

export function getMainWindow(): BrowserWindow | null {
  return mainWindow;
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
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  mainWindow = window;
  window.on('closed', () => (mainWindow = null));
  window.once('ready-to-show', () => window.show());
  const devServer = process.env.ELECTRON_RENDERER_URL;
  if (!app.isPackaged && devServer) void window.loadURL(devServer);
  else void window.loadFile(join(__dirname, '../renderer/index.html'));
  return window;
}

/** No page may navigate away, open windows or ask for permissions: the app shows only its own renderer. */
export function setupNavigationGuards(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      // The dev server reloads the page in place; anything else is a navigation we never want.
      if (url !== contents.getURL()) event.preventDefault();
    });
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}
