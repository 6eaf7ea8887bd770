// The hidden compute window's preload: window.maskbenchComputeLink, the page's side of its link to core
// (frames of shared/compute.ts over one IPC channel). Nothing else of IPC reaches the page.

import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { COMPUTE_CHANNEL } from '../shared/compute';

contextBridge.exposeInMainWorld('maskbenchComputeLink', {
  send: (frame: Uint8Array) => ipcRenderer.send(COMPUTE_CHANNEL, frame),
  onFrame: (listener: (frame: Uint8Array) => void) => {
    ipcRenderer.on(COMPUTE_CHANNEL, (_event: IpcRendererEvent, frame: Uint8Array) => listener(frame));
  },
});
