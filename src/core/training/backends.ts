// Which tfjs backend trains. tfjs-node(-gpu) are optional dependencies that may be missing or fail to load
// (no libtensorflow, no CUDA), so each is tried in turn and the reason it was passed over is kept for the run.
// wasm runs on every core (wasm/), or on one with the reason kept likewise.

import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingBackendName } from '../../shared/training';
import type { BackendChoice, BackendUsed } from '../../shared/runs';
import { BACKENDS, backendUnavailable, checkBackendHere, isResolvable } from './backend-list';
import { registerWasmTrainingKernels } from './kernels';
import { wasmThreads } from './wasm/thread-count';
import { registerWasmBuild } from './wasm/wasm-build';

const require = createRequire(import.meta.url);

/** What a backend reports once active: its threads, and why it runs short of its best. */
interface Activated {
  threads: number | null;
  notes: string[];
}

/** Loads each backend's package and makes it the active backend; throws when it cannot. */
const ACTIVATE: Record<TrainingBackendName, (threads: number, workers: number) => Promise<Activated>> = {
  // Both tfjs-node packages register their backend as 'tensorflow' with the shared tfjs-core.
  'tensorflow-gpu': () => activateNode('@tensorflow/tfjs-node-gpu'),
  tensorflow: () => activateNode('@tensorflow/tfjs-node'),
  wasm: activateWasm,
  cpu: activateCpu,
};

/**
 * Makes the requested backend (or with `auto` the fastest that loads) tfjs's active one, wasm on `threads`
 * threads (the cores the job was given, or their share in each of `workers` that share its steps). Call it
 * in the job's worker: tfjs-node is loaded only there, so a native crash ends that job alone.
 */
export async function useBackend(requested: BackendChoice, threads: number = wasmThreads().count, workers = 1): Promise<BackendUsed> {
  checkBackendHere(requested);
  const candidates = requested === 'auto' ? BACKENDS : BACKENDS.filter((backend) => backend.name === requested);
  const passedOver: string[] = [];
  for (const backend of candidates) {
    try {
      const activated = await ACTIVATE[backend.name](threads, workers);
      const shared = backend.name === 'wasm' && workers > 1 ? { workers } : {};
      const notes = activated.notes.length > 0 ? { notes: activated.notes } : {};
      return { name: backend.name, requested, passedOver, threads: activated.threads, ...shared, ...notes };
    } catch (error) {
      passedOver.push(`${backend.name}: ${whyNot(backend, error)}`);
    }
  }
  throw backendUnavailable(requested, passedOver);
}

function whyNot(backend: (typeof BACKENDS)[number], error: unknown): string {
  if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && !isResolvable(backend.package)) return `${backend.package} is not installed`;
  return `${backend.package} did not load (${firstLine(error)})`;
}

const firstLine = (error: unknown) => (error as Error).message.split('\n')[0];

async function activateNode(pkg: string): Promise<Activated> {
  require(pkg);
  await setBackend('tensorflow');
  return { threads: null, notes: [] };
}

/** wasm on the threads asked for, or on tfjs's single-threaded build when those do not start. */
async function activateWasm(wanted: number, workers: number): Promise<Activated> {
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  // In a packaged app the .wasm files are unpacked beside the asar archive (build/electron-builder.yml).
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm')).replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
  wasm.setWasmPaths(dist + sep);
  registerWasmTrainingKernels();
  const best = wasmThreads();
  const notes = best.note === null ? [] : [best.note];
  if (wanted * workers < best.count) notes.push(`wasm on ${wanted * workers} of ${best.count} threads: the other cores were given to other jobs`);
  try {
    await registerWasmBuild(wanted, dist);
    await setBackend('wasm');
  } catch (error) {
    notes.push(`wasm on ${wanted} threads: ${firstLine(error)}; one thread used`);
    await registerWasmBuild(1, dist);
    await setBackend('wasm');
  }
  return { threads: wasm.getThreadsCount(), notes };
}

async function activateCpu(): Promise<Activated> {
  require('@tensorflow/tfjs-backend-cpu');
  await setBackend('cpu');
  // Its first tensor would print a banner telling Node users to install tfjs-node, which auto takes where
  // it loads (saying why not where it does not): advice the run's backend line already gives.
  (tf.backend() as tf.KernelBackend & { firstUse: boolean }).firstUse = false;
  return { threads: 1, notes: [] };
}

async function setBackend(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs could not initialise its ${name} backend`);
  await tf.ready();
}
