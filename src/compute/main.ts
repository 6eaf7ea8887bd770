// The compute page: no UI. It serves core's training jobs over its link (host.ts): the preload's IPC in
// Electron's hidden window, a WebSocket to `maskbench serve` in a browser. It also offers trainSteps on
// window, a few optimiser steps, by which the tests compare its backends with the cpu backend.

import { COMPUTE_PATH } from '../shared/compute';
import { serveHost, type HostTransport } from './host';
import type { TrainStepsRequest, TrainStepsResult } from './protocol';
import { trainSteps } from './train-steps';

export interface ComputePage {
  trainSteps(request: TrainStepsRequest): Promise<TrainStepsResult>;
}

declare global {
  interface Window {
    maskbenchCompute?: ComputePage;
    /** Set by the Electron preload of the hidden window. */
    maskbenchComputeLink?: HostTransport;
  }
}

window.maskbenchCompute = { trainSteps };

if (window.maskbenchComputeLink) void serveHost(window.maskbenchComputeLink);
else connectToServer();

/** Browser mode: the page's cookie carries the server's token, as the window's own connection does. */
function connectToServer(): void {
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${COMPUTE_PATH}`);
  socket.binaryType = 'arraybuffer';
  socket.addEventListener(
    'open',
    () =>
      void serveHost({
        send: (frame) => socket.send(frame),
        onFrame: (listener) => socket.addEventListener('message', (event: MessageEvent<ArrayBuffer>) => listener(new Uint8Array(event.data))),
      }),
  );
  socket.addEventListener('close', (event) =>
    console.warn(`The compute page lost its link to Maskbench (code ${event.code}); reload the page to serve again.`),
  );
}
