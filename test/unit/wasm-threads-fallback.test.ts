// When the threaded wasm build does not start, a run goes on with tfjs's single-threaded build and says why.

import * as tf from '@tensorflow/tfjs-core';
import { expect, it, vi } from 'vitest';
import { useBackend } from '../../src/core/training/backends';

vi.mock('../../src/core/training/wasm/threaded-wasm', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/core/training/wasm/threaded-wasm')>()),
  startThreadedWasm: () => Promise.reject(new Error('no threads here')),
}));

it('falls back to one thread, with the reason in its notes', async () => {
  expect(await useBackend('wasm', 2)).toEqual({
    name: 'wasm',
    requested: 'wasm',
    passedOver: [],
    threads: 1,
    notes: ['wasm on 2 threads: no threads here; one thread used'],
  });
  expect(tf.getBackend()).toBe('wasm');
});
