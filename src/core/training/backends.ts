import { createRequire } from 'node:module';
import type { TrainingBackend, TrainingBackendName } from '../../shared/api';

const require = createRequire(import.meta.url);

/** In order of preference: the first one installed trains. tfjs-node(-gpu) are optional dependencies. */
const BACKENDS: ReadonlyArray<{ name: TrainingBackendName; package: string; usesGpu: boolean }> = [
  { name: 'tensorflow-gpu', package: '@tensorflow/tfjs-node-gpu', usesGpu: true },
  { name: 'tensorflow', package: '@tensorflow/tfjs-node', usesGpu: false },
  { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', usesGpu: false },
  { name: 'cpu', package: '@tensorflow/tfjs', usesGpu: false },
];

/** Which backends are installed, found by resolving their packages without loading them (tfjs-node is slow to load). */
export function detectBackends(isInstalled: (pkg: string) => boolean = isResolvable): TrainingBackend[] {
  return BACKENDS.map((backend) => ({ ...backend, available: isInstalled(backend.package) }));
}

function isResolvable(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
