// eng-disable AUXCLICK_JS_CHECK (reviewed: the hidden compute page has no UI to click, and guards.ts refuses every new window and navigation)
// The compute page in Electron: a hidden window of our own renderer build that trains on the GPU for
// core (core/compute). Opened when a run first needs it, it connects when its page says hello, and a
// window that closes or whose renderer dies fails only the run it had, with the reason.

import { BrowserWindow, app, ipcMain, type IpcMainEvent } from 'electron';
import { join } from 'node:path';
import type { HostLink } from '../core/compute/compute-hosts';
import type { Workbench } from '../core/workbench';
import { COMPUTE_CHANNEL, COMPUTE_PAGE } from '../shared/compute';
import { RENDERER_ORIGIN } from './protocols';

/** The switches that let Chromium offer WebGPU on Linux, where it is still behind them (on Vulkan). */
export function enableWebGpu(): void {
  if (process.platform !== 'linux') return;
  app.commandLine.appendSwitch('enable-unsafe-webgpu');
  app.commandLine.appendSwitch('enable-features', 'Vulkan');
}

let computeWindow: BrowserWindow | null = null;
let link: HostLink | null = null;

export function setupComputeWindow(workbench: Workbench): void {
  workbench.computeHosts.setOpener({ hint: 'its hidden compute window did not start', open: openComputeWindow });
  ipcMain.on(COMPUTE_CHANNEL, (event: IpcMainEvent, frame: unknown) => {
    if (!isComputePage(event) || !(frame instanceof Uint8Array)) return;
    const window = computeWindow!;
    link ??= workbench.computeHosts.connect({
      send: (message) => {
        if (!window.isDestroyed()) window.webContents.send(COMPUTE_CHANNEL, message);
      },
      close: () => window.destroy(),
    });
    link.receive(frame);
  });
}

/** Closes the compute window with the app's window, so that it never keeps the app running alone. */
export function closeComputeWindow(): void {
  if (computeWindow && !computeWindow.isDestroyed()) computeWindow.destroy();
}

function openComputeWindow(): void {
  if (computeWindow) return;
  const window = new BrowserWindow({
    show: false,
    title: 'Maskbench compute',
    webPreferences: {
      // Reviewed: it exposes only the compute link's send and onFrame, and main.ts takes frames only from this window's main frame.
      preload: join(__dirname, '../preload/compute.js'), // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      // A hidden window is throttled like a background tab unless told otherwise; training must not be.
      backgroundThrottling: false,
    },
  });
  computeWindow = window;
  const ended = (reason: string) => {
    link?.closed(reason);
    link = null;
    computeWindow = null;
  };
  window.webContents.on('render-process-gone', (_event, details) => {
    ended(`its renderer process ended (${details.reason})`);
    window.destroy();
  });
  window.on('closed', () => {
    if (computeWindow === window) ended('the compute window closed');
  });
  void window.loadURL(computeUrl());
}

const computeUrl = () => `${RENDERER_ORIGIN}/${COMPUTE_PAGE}`;

function isComputePage(event: IpcMainEvent): boolean {
  const frame = event.senderFrame;
  return computeWindow !== null && event.sender === computeWindow.webContents && frame !== null && frame.parent === null && frame.url === computeUrl();
}
