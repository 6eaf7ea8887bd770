// The wasm kernel tests again, on the threaded build: our kernels hand their products, convolutions and
// batch norm's per-channel passes to XNNPACK, which splits them across its threads, and must give the cpu
// backend's results still.

import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { expect, it } from 'vitest';
import { useBackend } from '../../src/core/training/backends';

await useBackend('wasm', 2);
// Loaded after the threaded build is registered as 'wasm', which its tests then set as the backend.
await import('./wasm-kernels.test');
await import('./batch-norm-training.test');
await import('./pointwise-gradients.test');

it('runs them on two threads', () => {
  expect(getThreadsCount()).toBe(2);
});
