import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/core/training/kernels';
import type { PointwiseGradient } from '../../src/core/training/kernels/pointwise-gradient';
import { RELU_GRAD } from '../../src/core/training/kernels/relu-grad';
import { TANH_GRAD } from '../../src/core/training/kernels/tanh-grad';
import { countingWasmKernel, float32Bits, random } from './seeded-values';

// Sizes that leave the SIMD loop 0 to 3 values to take one at a time, and edge values of x (where tanh
// saturates, ReLU's step turns, or x is not a number) against edge values of dy (0 times infinity is NaN).
const SIZES = [1, 3, 4, 7, 1001];
// Thirteen: the last is one the loop takes alone.
const EDGES = [0, -0, 1e-40, -1e-40, 20, -20, Infinity, -Infinity, NaN, 0.5, -0.5, 2, NaN];
const EDGE_DY = [Infinity, -Infinity, 0.25, -0.25, -1, Infinity, -Infinity, 0, 1, -0, NaN, -3, -2];

const GRADIENTS: Array<[name: string, kernel: string, spec: { forward: (x: tf.Tensor) => tf.Tensor; ops: PointwiseGradient['ops']; saves: 'x' | 'y' }]> = [
  ['tanh', TANH_GRAD, { forward: tf.tanh, ops: (dy, y) => tf.mul(tf.sub(tf.scalar(1), tf.square(y)), dy), saves: 'y' }],
  ['relu', RELU_GRAD, { forward: tf.relu, ops: (dy, x) => tf.mul(dy, tf.cast(tf.step(x), 'float32')), saves: 'x' }],
];

/** The gradient through the op by tf.grad, and as tfjs's own gradient computes it with ops, for each case. */
function gradients({ forward, ops, saves }: (typeof GRADIENTS)[number][2]) {
  return [...SIZES, EDGES.length].map((size, i) =>
    tf.tidy(() => {
      const edges = size === EDGES.length;
      const x = edges ? tf.tensor1d(EDGES) : tf.mul(random([size], i + 1), 3);
      const dy = edges ? tf.tensor1d(EDGE_DY) : random([size], i + 100);
      const tfjs = ops(dy, saves === 'x' ? x : forward(x));
      return { ours: float32Bits(tf.grad(forward)(x, dy)), tfjs: float32Bits(tfjs) };
    }),
  );
}

beforeAll(() => registerWasmTrainingKernels());
afterAll(() => tf.setBackend('cpu'));

describe.each(GRADIENTS)('%s’s gradient', (_, kernel, spec) => {
  it('takes one kernel of ours on wasm, to the same bits as tfjs’s gradient', async () => {
    await tf.setBackend('wasm');
    const { result, calls } = await countingWasmKernel(kernel, () => gradients(spec));
    for (const { ours, tfjs } of result) expect(ours).toEqual(tfjs);
    expect(calls).toBe(SIZES.length + 1);
  });

  it('is tfjs’s on a backend without our kernel', async () => {
    await tf.setBackend('cpu');
    expect(tf.getKernel(kernel, 'cpu')).toBeUndefined();
    for (const { ours, tfjs } of gradients(spec)) expect(ours).toEqual(tfjs);
  });
});
