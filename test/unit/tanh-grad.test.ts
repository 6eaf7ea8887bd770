import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/core/training/kernels';
import { TANH_GRAD } from '../../src/core/training/kernels/tanh-grad';
import { random } from './seeded-values';

// Sizes that leave the SIMD loop 0 to 3 values to take one at a time, and values where tanh saturates or is not a number.
const SIZES = [1, 3, 4, 7, 1001];
const EDGES = [0, -0, 1e-40, 20, -20, Infinity, -Infinity, NaN, 0.5];

/** Each value's bits; a NaN as such, whatever its payload (which float hardware chooses). */
const bits = (tensor: tf.Tensor) => {
  const values = Float32Array.from(tensor.dataSync());
  return Array.from(new Uint32Array(values.buffer), (word, i) => (Number.isNaN(values[i]) ? 'NaN' : word));
};

/** The gradient through tanh by tf.grad, and as tfjs's own gradient computes it with ops, for each case. */
function gradients() {
  return [...SIZES, EDGES.length].map((size, i) =>
    tf.tidy(() => {
      const x = size === EDGES.length ? tf.tensor1d(EDGES) : tf.mul(random([size], i + 1), 3);
      const dy = random([size], i + 100);
      const tfjs = tf.mul(tf.sub(tf.scalar(1), tf.square(tf.tanh(x))), dy);
      return { ours: bits(tf.grad((t: tf.Tensor) => tf.tanh(t))(x, dy)), tfjs: bits(tfjs) };
    }),
  );
}

beforeAll(() => registerWasmTrainingKernels());
afterAll(() => tf.setBackend('cpu'));

describe('tanh’s gradient', () => {
  it('takes one kernel of ours on wasm, to the same bits as tfjs’s gradient', async () => {
    await tf.setBackend('wasm');
    const kernel = tf.getKernel(TANH_GRAD, 'wasm')!;
    const calls: string[] = [];
    tf.unregisterKernel(TANH_GRAD, 'wasm');
    tf.registerKernel({ ...kernel, kernelFunc: (args) => (calls.push(TANH_GRAD), kernel.kernelFunc(args)) });
    try {
      for (const { ours, tfjs } of gradients()) expect(ours).toEqual(tfjs);
      expect(calls).toHaveLength(SIZES.length + 1);
    } finally {
      tf.unregisterKernel(TANH_GRAD, 'wasm');
      tf.registerKernel(kernel);
    }
  });

  it('is tfjs’s on a backend without our kernel', async () => {
    await tf.setBackend('cpu');
    expect(tf.getKernel(TANH_GRAD, 'cpu')).toBeUndefined();
    for (const { ours, tfjs } of gradients()) expect(ours).toEqual(tfjs);
  });
});
