// Exposes window.maskbench: one function per API method, generated from the contract, and the event
// subscription. ipcRenderer itself never reaches the page. Built as one CommonJS file for the sandbox.

import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { CallResult, WorkbenchApi, WorkbenchEvent } from '../shared/api';
import { createApiClient } from '../shared/api-client';
import { EVENT_CHANNEL, methodChannel } from '../shared/ipc-channels';

const api = createApiClient({
  call: (method, request) => ipcRenderer.invoke(methodChannel(method), request) as Promise<CallResult>,
  subscribe: (listener) => {
    const forward = (_event: IpcRendererEvent, event: WorkbenchEvent) => listener(event);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => void ipcRenderer.removeListener(EVENT_CHANNEL, forward);
  },
}) satisfies WorkbenchApi;

contextBridge.exposeInMainWorld('maskbench', api);
