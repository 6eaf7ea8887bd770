// The API over Electron IPC: one channel per method of the contract, generated from `apiMethods`, and
// core events pushed to the window. Only our own window's main frame, showing our renderer, may call.

import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { apiMethods, type CallResult } from '../shared/api';
import { EVENT_CHANNEL, methodChannel } from '../shared/ipc-channels';
import { dispatch } from '../core/dispatch';
import type { Workbench } from '../core/workbench';
import { getMainWindow, isOurWindow, isRendererUrl } from './window';

export function setupIpc(workbench: Workbench): void {
  for (const method of apiMethods) {
    ipcMain.handle(methodChannel(method), (event, request: unknown): Promise<CallResult> => {
      if (!isTrustedSender(event)) {
        return Promise.resolve({ ok: false, error: { code: 'unauthorized', message: 'IPC from an unknown frame was refused' } });
      }
      return dispatch(workbench, method, request);
    });
  }
  workbench.onEvent((event) => {
    const window = getMainWindow();
    if (window && !window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, event);
  });
}

function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return isOurWindow(BrowserWindow.fromWebContents(event.sender)) && frame !== null && frame.parent === null && isRendererUrl(frame.url);
}
