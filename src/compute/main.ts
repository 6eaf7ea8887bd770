// The compute page: one line of status, no controls. It serves core's training jobs over its link
// (host.ts): the preload's IPC in Electron's hidden window, a WebSocket to `maskbench serve` in a
// browser. It also offers trainSteps on window, a few optimiser steps, by which the tests compare its
// backends with the cpu backend.

import { COMPUTE_PATH } from '../shared/compute';
import { serveHost, type HostTransport } from './host';
import type { TrainStepsRequest, TrainStepsResult } from './protocol';
import { trainSteps } from './train-steps';
import './compute.css';

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

/** The first wait before connecting again after a lost link, doubled at each failed attempt up to the last. */
const RETRY_FIRST_MS = 1_000;
const RETRY_LAST_MS = 30_000;

const statusLine = document.getElementById('status')!;
const show = (status: string) => (statusLine.textContent = status);

if (window.maskbenchComputeLink) void serveHost(window.maskbenchComputeLink, show);
else connectToServer(RETRY_FIRST_MS);

/**
 * Browser mode: the page's cookie carries the server's token, as the window's own connection does. A
 * lost link (the server restarted, the network, core dropping a page it took for hung) is tried again
 * by itself, while the token is still good.
 */
function connectToServer(retryMs: number): void {
  show('Connecting to Maskbench…');
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${COMPUTE_PATH}`);
  socket.binaryType = 'arraybuffer';
  let opened = false;
  socket.addEventListener('open', () => {
    opened = true;
    void serveHost(
      {
        send: (frame) => socket.send(frame),
        onFrame: (listener) => socket.addEventListener('message', (event: MessageEvent<ArrayBuffer>) => listener(new Uint8Array(event.data))),
        onClose: (listener) => socket.addEventListener('close', listener),
      },
      show,
    );
  });
  socket.addEventListener('close', (event) => {
    const wait = opened ? RETRY_FIRST_MS : retryMs;
    void retry(event.reason || `code ${event.code}`, wait).then((again) => {
      if (again) setTimeout(() => connectToServer(Math.min(wait * 2, RETRY_LAST_MS)), wait);
    });
  });
}

/** Says why the link was lost and whether to connect again: not once the server refuses this page's token. */
async function retry(why: string, waitMs: number): Promise<boolean> {
  const response = await fetch(location.href, { method: 'HEAD', cache: 'no-store' }).catch(() => null);
  if (response?.status === 401) {
    show(
      `Lost the link to Maskbench (${why}), and its server no longer takes this page's token (restarted?): open the compute page address that maskbench serve printed.`,
    );
    return false;
  }
  const seconds = waitMs / 1000;
  show(`Lost the link to Maskbench (${why}${response ? '' : ', the server does not answer'}); trying again in ${seconds} s.`);
  return true;
}
