// Which tfjs backend trains. tfjs-node(-gpu) are optional dependencies that may be missing or fail to load
// (no libtensorflow, no CUDA), so each is tried in turn and the reason it was passed over is kept for the run.

import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingBackendName } from '../../shared/training';
import { WorkbenchError } from '../../shared/errors';
import type { BackendChoice, BackendUsed } from '../../shared/runs';
import { BACKENDS, isResolvable } from './backend-list';
import { registerWasmTrainingKernels } from './kernels';

const require = createRequire(import.meta.url);

/** Loads each backend's package and makes it the active backend; throws when it cannot. */
const ACTIVATE: Record<TrainingBackendName, () => Promise<void>> = {
  // Both tfjs-node packages register their backend as 'tensorflow' with the shared tfjs-core.
  'tensorflow-gpu': () => activateNode('@tensorflow/tfjs-node-gpu'),
  tensorflow: () => activateNode('@tensorflow/tfjs-node'),
  wasm: activateWasm,
  cpu: activateCpu,
};

/**
 * Makes the requested backend (or with `auto` the fastest that loads) tfjs's active one. Call it in the
 * job's worker: tfjs-node is loaded only there, so a native crash ends that job alone.
 */
export async function useBackend(requested: BackendChoice): Promise<BackendUsed> {
  const candidates = requested === 'auto' ? BACKENDS : BACKENDS.filter((backend) => backend.name === requested);
  const passedOver: string[] = [];
  for (const backend of candidates) {
    try {
      await ACTIVATE[backend.name]();
      return { name: backend.name, requested, passedOver };
    } catch (error) {
      passedOver.push(`${backend.name}: ${whyNot(backend, error)}`);
    }
  }
  const hint = requested === 'auto' ? '' : ` Install ${candidates[0]?.package} (see the README), or choose backend "auto".`;
  throw new WorkbenchError('backend-unavailable', `The ${requested} backend cannot be used here: ${passedOver.join('; ')}.${hint}`, { field: 'backend' });
}

function whyNot(backend: (typeof BACKENDS)[number], error: unknown): string {
  if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && !isResolvable(backend.package)) return `${backend.package} is not installed`;
  return `${backend.package} did not load (${(error as Error).message.split('\n')[0]})`;
}

async function activateNode(pkg: string): Promise<void> {
  require(pkg);
  await setBackend('tensorflow');
}

async function activateWasm(): Promise<void> {
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  // In a packaged app the .wasm files are unpacked beside the asar archive (build/electron-builder.yml).
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  if (dist.includes(`app.asar${sep}`)) wasm.setWasmPaths(dist.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`) + sep);
  registerWasmTrainingKernels();
  await setBackend('wasm');
}

async function activateCpu(): Promise<void> {
  require('@tensorflow/tfjs-backend-cpu');
  await setBackend('cpu');
}

async function setBackend(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs could not initialise its ${name} backend`);
  await tf.ready();
}
