import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
// For tfjs-core's gradients, which it registers on import.
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/core/training/kernels';
import { withSharedBatchStatistics, type BatchStatistics } from '../../src/core/training/kernels/batch-norm-training';
import { batchNormTraining, hasBatchNormTraining } from '../../src/core/training/kernels/batch-norm-training-op';
import { TOLERANCE, random, relativeError } from './seeded-values';

const EPSILON = 1e-5;

/** The outputs, and the gradients of a loss that weighs every output element by its own seeded value. */
interface Result {
  y: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  dx: Float32Array;
  dGamma: Float32Array;
  dBeta: Float32Array;
}

/**
 * Batch norm in training on x of `shape` (plus `offset`, to move the mean away from zero), by
 * batchNormTraining on wasm or by tf.layers' own chain, tf.moments and tf.batchNorm, on cpu. With
 * `statisticsInLoss` the loss weighs the mean and variance too, else (as in a model) y alone. With
 * `statistics`, as a worker of a data-parallel run that shares them.
 */
async function batchNorm(backend: 'cpu' | 'wasm', shape: number[], offset: number, statisticsInLoss: boolean, statistics?: BatchStatistics): Promise<Result> {
  await tf.setBackend(backend);
  const channels = shape.at(-1)!;
  const run = (compute: () => Result) => (statistics ? withSharedBatchStatistics(statistics, compute) : compute());
  return run(() =>
    tf.tidy(() => {
      const x = tf.add(random(shape, 1), offset);
      const gamma = tf.add(random([channels], 2), 1.5);
      const beta = random([channels], 3);
      const [wy, wMean, wVariance] = [random(shape, 4), random([channels], 5), random([channels], 6)];
      const forward = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor[] => {
        if (backend === 'wasm') return batchNormTraining(x, gamma, beta, EPSILON);
        const { mean, variance } = tf.moments(x, [...shape.keys()].slice(0, -1));
        return [tf.batchNorm(x, mean, variance, beta, gamma, EPSILON), mean, variance];
      };
      const loss = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
        const [y, mean, variance] = forward(x, gamma, beta);
        const weighed = tf.sum(tf.mul(y!, wy));
        return statisticsInLoss ? tf.addN([weighed, tf.sum(tf.mul(mean!, wMean)), tf.sum(tf.mul(variance!, wVariance))]) : weighed;
      };
      const [y, mean, variance] = forward(x, gamma, beta).map((t) => t.dataSync() as Float32Array);
      const [dx, dGamma, dBeta] = tf
        .grads(loss)([x, gamma, beta])
        .map((t) => t.dataSync() as Float32Array);
      return { y: y!, mean: mean!, variance: variance!, dx: dx!, dGamma: dGamma!, dBeta: dBeta! };
    }),
  );
}

beforeAll(() => {
  registerWasmTrainingKernels();
});

describe('batchNormTraining on wasm', () => {
  const cases: Array<[shape: number[], offset: number, statisticsInLoss: boolean]> = [
    [[1, 5, 7, 3], 0, false],
    [[3, 7, 5, 16], 0, false],
    [[2, 9, 11, 64], 0, false],
    [[8, 16, 16, 32], 0, false],
    // A mean of a few deviations takes the XNNPACK path, of more the exact loop's.
    [[4, 6, 6, 8], 3, false],
    [[4, 6, 6, 8], 10, false],
    [[5, 3], 0, false],
    [[2, 3, 5, 7], 0, true],
    [[3, 5, 5, 1], 0, false],
  ];
  it.each(cases)(
    'gives the outputs and gradients of tf.moments and tf.batchNorm on cpu: %j plus %d, statistics in the loss %s',
    async (shape, offset, statisticsInLoss) => {
      const expected = await batchNorm('cpu', shape, offset, statisticsInLoss);
      const actual = await batchNorm('wasm', shape, offset, statisticsInLoss);
      for (const key of Object.keys(expected) as Array<keyof Result>) {
        expect(actual[key].length, key).toBe(expected[key].length);
        expect(relativeError(actual[key], expected[key]), key).toBeLessThan(TOLERANCE);
      }
    },
  );

  it('with one value per channel, gives y = beta and dx = 0, which the cpu backend gives up to rounding', async () => {
    const expected = await batchNorm('cpu', [1, 1, 1, 4], 0, false);
    const actual = await batchNorm('wasm', [1, 1, 1, 4], 0, false);
    for (const key of ['y', 'mean', 'variance', 'dGamma', 'dBeta'] as const) expect(relativeError(actual[key], expected[key]), key).toBeLessThan(TOLERANCE);
    // Each dx is dy gamma / sqrt(epsilon) less itself: about 300 less 300, where the cpu backend's rounding shows.
    const largest = Math.max(...expected.dx.map(Math.abs));
    expect(largest * Math.sqrt(EPSILON)).toBeLessThan(TOLERANCE);
    expect(Array.from(actual.dx)).toEqual([0, 0, 0, 0]);
  });

  it.each([0, 1000])(
    'as one of two workers with the same part (the batch twice over), gives the outputs and gradients of one worker alone, x plus %d',
    async (offset) => {
      const shape = [4, 6, 6, 8];
      const alone = await batchNorm('wasm', shape, offset, true);
      // The other worker holds the same rows: every sum, the count's too, is twice this worker's.
      const twin: BatchStatistics = { members: 2, sum: (values) => values.map((value) => 2 * value) };
      const shared = await batchNorm('wasm', shape, offset, true, twin);
      for (const key of Object.keys(alone) as Array<keyof Result>) expect(relativeError(shared[key], alone[key]), key).toBeLessThan(TOLERANCE);
    },
  );

  it('is used on wasm alone: other backends keep tf.layers’ own batch norm', async () => {
    await tf.setBackend('wasm');
    expect(hasBatchNormTraining()).toBe(true);
    await tf.setBackend('cpu');
    expect(hasBatchNormTraining()).toBe(false);
  });

  it('leaves no tensor and no wasm memory behind, forward or backward', async () => {
    await tf.setBackend('wasm');
    const [x, gamma, beta] = [random([2, 3, 3, 4], 1), random([4], 2), random([4], 3)];
    const tensors = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    for (let i = 0; i < 3; i++) {
      tf.dispose(batchNormTraining(x, gamma, beta, EPSILON));
      tf.dispose(tf.grads((x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.sum(batchNormTraining(x, gamma, beta, EPSILON)[0]))([x, gamma, beta]));
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
    tf.dispose([x, gamma, beta]);
  });
});
