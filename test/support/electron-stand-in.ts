// A recording stand-in for the `electron` module, so that the BUILT main process (out/main/index.js) runs
// in plain Node here, where Electron's binary cannot: each API the shell uses does what the shell relies
// on (events, handlers, the app's ready and quit sequence) and remembers what it was asked. Anything else
// the shell reaches for throws with its name, so a new use of Electron shows up here rather than passing.

import { EventEmitter } from 'node:events';
import Module, { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import type { BrowserWindowConstructorOptions, CustomScheme, MenuItemConstructorOptions } from 'electron';

/** What Electron passes to listeners that may call preventDefault(). */
export interface StandInEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}

export function standInEvent<T extends object>(fields: T = {} as T): T & StandInEvent {
  return {
    ...fields,
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

/** The sender of an IPC call, as far as the shell looks at it. */
export interface StandInIpcEvent {
  sender: unknown;
  senderFrame: { parent: unknown; url: string } | null;
}
type IpcHandler = (event: StandInIpcEvent, request?: unknown) => Promise<unknown>;
type ProtocolHandler = (request: Request) => Promise<Response>;
type PermissionRequestHandler = (
  contents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details: { requestingUrl?: string; isMainFrame: boolean },
) => void;
type PermissionCheckHandler = (contents: unknown, permission: string, requestingOrigin: string, details: { isMainFrame: boolean }) => boolean;
type DevicePermissionHandler = (details: { deviceType: string; origin: string }) => boolean;

export class StandInWebContents extends EventEmitter {
  url = '';
  readonly sent: { channel: string; args: unknown[] }[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  constructor(private readonly log: string[]) {
    super();
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
    this.log.push(`send ${channel} ${JSON.stringify(args)}`);
  }
  getURL(): string {
    return this.url;
  }
  setWindowOpenHandler(handler: StandInWebContents['windowOpenHandler']): void {
    this.windowOpenHandler = handler;
  }
  isDestroyed(): boolean {
    return false;
  }
}

export class StandInBrowserWindow extends EventEmitter {
  readonly webContents: StandInWebContents;
  readonly loaded: string[] = [];
  constructor(
    standIn: ElectronStandIn,
    readonly options: BrowserWindowConstructorOptions,
  ) {
    super();
    this.webContents = new StandInWebContents(standIn.log);
    standIn.windows.push(this);
    standIn.app.emit('web-contents-created', standInEvent(), this.webContents);
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    this.webContents.url = url;
    return Promise.resolve();
  }
  destroyed = false;
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** As Electron's: the window goes at once, with its 'closed' event. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('closed');
  }
  show(): void {}
  focus(): void {}
}

/** `BrowserWindow` as the shell uses it: constructed with its options, and looked up by web contents. */
export interface StandInBrowserWindowClass {
  new (options: BrowserWindowConstructorOptions): StandInBrowserWindow;
  fromWebContents(contents: unknown): StandInBrowserWindow | null;
}

export class StandInApp extends EventEmitter {
  isPackaged = false;
  /** Set once a quit was not prevented: the real app would exit then. */
  quitted = false;
  exitCode: number | null = null;
  private readonly paths = new Map<string, string>();
  /** Chromium's switches, as appended: they take effect only before the app is ready. */
  readonly commandLine = {
    switches: [] as string[][],
    appendSwitch: (name: string, value?: string): void => {
      if (this.standIn.ready) throw new Error('app.commandLine.appendSwitch must be called before the app is ready');
      this.commandLine.switches.push(value === undefined ? [name] : [name, value]);
    },
  };
  constructor(private readonly standIn: ElectronStandIn) {
    super();
  }
  setPath(name: string, path: string): void {
    this.paths.set(name, path);
  }
  getPath(name: string): string {
    const path = this.paths.get(name);
    if (path === undefined) throw new Error(`app.getPath('${name}') before app.setPath`);
    return path;
  }
  getVersion(): string {
    return '0.0.0-stand-in';
  }
  requestSingleInstanceLock(): boolean {
    return true;
  }
  /** Resolves on a later turn, as the real one does after the main module's own start-up code has run. */
  whenReady(): Promise<void> {
    return new Promise((resolve) =>
      setImmediate(() => {
        this.standIn.ready = true;
        resolve();
      }),
    );
  }
  /** As Electron's: 'before-quit' first, and only if no listener prevents it does the app quit. */
  quit(): void {
    const event = standInEvent();
    this.emit('before-quit', event);
    this.standIn.log.push(event.defaultPrevented ? 'quit prevented' : 'quit');
    if (!event.defaultPrevented) this.quitted = true;
  }
  exit(code = 0): void {
    this.exitCode = code;
  }
}

export class ElectronStandIn {
  /** What happened, in order: messages to windows and the app's quitting, to compare their order. */
  readonly log: string[] = [];
  ready = false;
  readonly windows: StandInBrowserWindow[] = [];
  readonly app = new StandInApp(this);
  readonly BrowserWindow: StandInBrowserWindowClass;

  readonly ipcMain = {
    handlers: new Map<string, IpcHandler>(),
    /** Listeners of one-way messages (ipcRenderer.send), by channel. */
    listeners: new Map<string, Array<(event: StandInIpcEvent, ...args: unknown[]) => void>>(),
    handle(channel: string, handler: IpcHandler): void {
      if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      this.handlers.set(channel, handler);
    },
    on(channel: string, listener: (event: StandInIpcEvent, ...args: unknown[]) => void): void {
      this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
    },
  };

  readonly protocol = {
    privileged: [] as CustomScheme[],
    handlers: new Map<string, ProtocolHandler>(),
    registerSchemesAsPrivileged: (schemes: CustomScheme[]): void => {
      if (this.ready) throw new Error('protocol.registerSchemesAsPrivileged must be called before the app is ready');
      this.protocol.privileged = schemes;
    },
    handle: (scheme: string, handler: ProtocolHandler): void => {
      if (!this.ready) throw new Error('protocol.handle must be called once the app is ready');
      this.protocol.handlers.set(scheme, handler);
    },
  };

  readonly defaultSession = {
    permissionRequestHandler: null as PermissionRequestHandler | null,
    permissionCheckHandler: null as PermissionCheckHandler | null,
    devicePermissionHandler: null as DevicePermissionHandler | null,
    setPermissionRequestHandler(handler: PermissionRequestHandler): void {
      this.permissionRequestHandler = handler;
    },
    setPermissionCheckHandler(handler: PermissionCheckHandler): void {
      this.permissionCheckHandler = handler;
    },
    setDevicePermissionHandler(handler: DevicePermissionHandler): void {
      this.devicePermissionHandler = handler;
    },
  };

  readonly dialog = {
    /** Folders the next open dialogs answer with, in turn; cancelled when none is left. */
    openAnswers: [] as string[],
    showOpenDialog(): Promise<{ canceled: boolean; filePaths: string[] }> {
      const path = this.openAnswers.shift();
      return Promise.resolve(path === undefined ? { canceled: true, filePaths: [] } : { canceled: false, filePaths: [path] });
    },
  };

  readonly Menu = {
    applicationMenu: null as { template: MenuItemConstructorOptions[] } | null,
    buildFromTemplate: (template: MenuItemConstructorOptions[]) => ({ template }),
    setApplicationMenu(menu: { template: MenuItemConstructorOptions[] }): void {
      this.applicationMenu = menu;
    },
  };

  /** What `require('electron')` gives the main process. */
  readonly electron: object;

  constructor() {
    this.BrowserWindow = browserWindowClass(this);
    const provided: Record<string, unknown> = {
      app: this.app,
      BrowserWindow: this.BrowserWindow,
      ipcMain: this.ipcMain,
      protocol: this.protocol,
      session: { defaultSession: this.defaultSession },
      dialog: this.dialog,
      Menu: this.Menu,
    };
    this.electron = new Proxy(provided, {
      get(target, name) {
        if (typeof name === 'symbol' || name in target || name === '__esModule' || name === 'default' || name === 'then') return target[name as string];
        throw new Error(`The electron stand-in has no ${name}: the main process now uses it, so add it to test/support/electron-stand-in.ts`);
      },
    });
  }
}

/** A `BrowserWindow` class whose windows belong to `standIn`. */
function browserWindowClass(standIn: ElectronStandIn): StandInBrowserWindowClass {
  return class extends StandInBrowserWindow {
    constructor(options: BrowserWindowConstructorOptions) {
      super(standIn, options);
    }
    static fromWebContents(contents: unknown): StandInBrowserWindow | null {
      return standIn.windows.find((window) => window.webContents === contents) ?? null;
    }
  };
}

/**
 * Runs a built main-process entry with `electron` resolving to the stand-in: a fresh copy of the entry
 * and its chunks each time, so that each call starts the shell anew (with the environment of the moment).
 */
export function runWithStandIn(entry: string, standIn: ElectronStandIn): void {
  const require = createRequire(entry);
  const outDir = dirname(entry);
  for (const id of Object.keys(require.cache)) if (id.startsWith(outDir + sep)) delete require.cache[id];
  const electronId = require.resolve('electron');
  const module = new Module(electronId);
  module.filename = electronId;
  module.loaded = true;
  module.exports = standIn.electron;
  require.cache[electronId] = module;
  require(entry);
}
