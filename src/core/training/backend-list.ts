// The training backends in order of preference, and which are installed: found by resolving their
// packages without loading them, so the process that serves the window never loads TensorFlow.js.

import { createRequire } from 'node:module';
import { WorkbenchError } from '../../shared/errors';
import type { BackendChoice } from '../../shared/runs';
import { HOST_BACKENDS, isHostBackend, type TrainingBackend, type TrainingBackendName } from '../../shared/training';

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

/**
 * Refuses, before any run folder is made, a backend that cannot train in this process: the compute page's
 * (webgpu, webgl), or one asked for by name whose package is not installed.
 */
export function checkBackendHere(requested: BackendChoice, isInstalled: (pkg: string) => boolean = isResolvable): void {
  if (isHostBackend(requested)) {
    throw new WorkbenchError(
      'backend-unavailable',
      `The ${requested} backend runs in the compute page of the app or of \`maskbench serve\`, not in this process: start the work from the window, or choose another "backend" (auto: the fastest that runs here).`,
      { field: 'backend' },
    );
  }
  checkInstalled(requested, isInstalled);
}

/** Why `auto` passes over the compute page's backends in a process that trains itself (the CLI). */
export function hostsPassedOverHere(requested: BackendChoice): string[] {
  if (requested !== 'auto') return [];
  return HOST_BACKENDS.map((name) => `${name}: runs only in a compute page (\`maskbench serve\` or the app), not in this process`);
}

/** Refuses a backend asked for by name whose package is not installed, naming what to install. */
export function checkInstalled(requested: BackendChoice, isInstalled: (pkg: string) => boolean = isResolvable): void {
  const backend = BACKENDS.find((candidate) => candidate.name === requested);
  if (backend && !isInstalled(backend.package)) throw backendUnavailable(requested, [`${backend.name}: ${backend.package} is not installed`]);
}

/** The error for a backend that cannot be used, with why each one tried was passed over. */
export function backendUnavailable(requested: BackendChoice, reasons: string[]): WorkbenchError {
  const pkg = BACKENDS.find((backend) => backend.name === requested)?.package;
  const hint = pkg ? ` Install ${pkg} (see the README), or choose backend "auto".` : '';
  return new WorkbenchError('backend-unavailable', `The ${requested} backend cannot be used here: ${reasons.join('; ')}.${hint}`, { field: 'backend' });
}
