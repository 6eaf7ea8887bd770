// The compute page: no UI, only an object on window that a driver (a test now; the main process's
// hidden window or the browser-mode driver later) calls to train on this browser's GPU.

import type { TrainStepsRequest, TrainStepsResult } from './protocol';
import { trainSteps } from './train-steps';

export interface ComputePage {
  trainSteps(request: TrainStepsRequest): Promise<TrainStepsResult>;
}

declare global {
  interface Window {
    maskbenchCompute?: ComputePage;
  }
}

window.maskbenchCompute = { trainSteps };
