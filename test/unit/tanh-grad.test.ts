import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/core/training/kernels';
import { TANH_GRAD } from '../../src/core/training/kernels/tanh-grad';
import { countingWasmKernel, float32Bits, random } from './seeded-values';

// Sizes that leave the SIMD loop 0 to 3 values to take one at a time, and values where tanh saturates or is not a number.
const SIZES = [1, 3, 4, 7, 1001];
const EDGES = [0, -0, 1e-40, 20, -20, Infinity, -Infinity, NaN, 0.5];

/** The gradient through tanh by tf.grad, and as tfjs's own gradient computes it with ops, for each case. */
function gradients() {
  return [...SIZES, EDGES.length].map((size, i) =>
    tf.tidy(() => {
      const x = size === EDGES.length ? tf.tensor1d(EDGES) : tf.mul(random([size], i + 1), 3);
      const dy = random([size], i + 100);
      const tfjs = tf.mul(tf.sub(tf.scalar(1), tf.square(tf.tanh(x))), dy);
      return { ours: float32Bits(tf.grad((t: tf.Tensor) => tf.tanh(t))(x, dy)), tfjs: float32Bits(tfjs) };
    }),
  );
}

beforeAll(() => registerWasmTrainingKernels());
afterAll(() => tf.setBackend('cpu'));

describe('tanh’s gradient', () => {
  it('takes one kernel of ours on wasm, to the same bits as tfjs’s gradient', async () => {
    await tf.setBackend('wasm');
    const { result, calls } = await countingWasmKernel(TANH_GRAD, gradients);
    for (const { ours, tfjs } of result) expect(ours).toEqual(tfjs);
    expect(calls).toBe(SIZES.length + 1);
  });

  it('is tfjs’s on a backend without our kernel', async () => {
    await tf.setBackend('cpu');
    expect(tf.getKernel(TANH_GRAD, 'cpu')).toBeUndefined();
    for (const { ours, tfjs } of gradients()) expect(ours).toEqual(tfjs);
  });
});
