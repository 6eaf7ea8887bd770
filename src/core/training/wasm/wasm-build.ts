// Which build tfjs's 'wasm' backend runs on: tfjs's own, single-threaded, or the threaded one that
// threaded-wasm.ts starts. Both register under the name 'wasm', so every kernel registered for 'wasm'
// (tfjs's and ours) serves either.

import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { startThreadedWasm, threadedBackend } from './threaded-wasm';

const require = createRequire(import.meta.url);

/** The priority tfjs registers 'wasm' with. */
const WASM_PRIORITY = 2;

type BackendFactory = NonNullable<ReturnType<typeof tf.findBackendFactory>>;

/** tfjs's own factory, kept when ours replaces it, to go back to one thread. */
let stockFactory: BackendFactory | null = null;
/** The threads the registered 'wasm' backend is made for; 1 is tfjs's own build. */
let registeredThreads = 1;

/**
 * Registers 'wasm' for `threads` threads, with its threaded binary in `binaryDir`. A backend made before
 * for another count is disposed: its tensors go with it. Throws, and leaves the registration as it was,
 * when the threaded build does not start.
 */
export async function registerWasmBuild(threads: number, binaryDir: string): Promise<void> {
  if (threads === registeredThreads) return;
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  stockFactory ??= tf.findBackendFactory('wasm');
  if (stockFactory === null) throw new Error('tfjs registered no wasm backend');
  let factory = stockFactory;
  if (threads > 1) {
    const module = await startThreadedWasm(threads, binaryDir);
    factory = () => threadedBackend(wasm, module, threads);
  }
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, WASM_PRIORITY);
  registeredThreads = threads;
}
