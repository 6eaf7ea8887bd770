// The training backends in order of preference, and which are installed: found by resolving their
// packages without loading them, so the process that serves the window never loads TensorFlow.js.

import { createRequire } from 'node:module';
import type { TrainingBackend, TrainingBackendName } from '../../shared/training';

const require = createRequire(import.meta.url);

/** With `auto`, the first that loads trains. tfjs-node(-gpu) are optional dependencies. */
export const BACKENDS: ReadonlyArray<{ name: TrainingBackendName; package: string; usesGpu: boolean }> = [
  { name: 'tensorflow-gpu', package: '@tensorflow/tfjs-node-gpu', usesGpu: true },
  { name: 'tensorflow', package: '@tensorflow/tfjs-node', usesGpu: false },
  { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', usesGpu: false },
  { name: 'cpu', package: '@tensorflow/tfjs-backend-cpu', usesGpu: false },
];

export function detectBackends(isInstalled: (pkg: string) => boolean = isResolvable): TrainingBackend[] {
  return BACKENDS.map((backend) => ({ ...backend, available: isInstalled(backend.package) }));
}

export function isResolvable(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
