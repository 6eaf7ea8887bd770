import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/core/training/kernels';
import { buildModel } from '../../src/core/training/models';
import { FusedBatchNormalization } from '../../src/core/training/models/batch-norm-layer';
import { TOLERANCE, random, relativeError } from './seeded-values';

const ARGS = { momentum: 0.9, epsilon: 1e-5 };

interface LayerResult {
  training: Float32Array;
  inference: Float32Array;
  /** The loss's gradients: of x, gamma and beta. */
  grads: Float32Array[];
  movingMean: Float32Array;
  movingVariance: Float32Array;
}

/**
 * One training call (output, gradients of a seeded weighing of it, moving averages after it) and then one
 * inference call, of tf.layers' batch norm on cpu or of ours on wasm, from the same seeded weights.
 */
async function runLayer(backend: 'cpu' | 'wasm', shape: number[]): Promise<LayerResult> {
  await tf.setBackend(backend);
  const channels = shape.at(-1)!;
  const layer = backend === 'cpu' ? tfl.layers.batchNormalization(ARGS) : new FusedBatchNormalization(ARGS);
  return tf.tidy(() => {
    const x = tf.variable(tf.add(random(shape, 1), 0.5));
    const w = random(shape, 2);
    layer.build(shape);
    layer.setWeights([tf.add(random([channels], 3), 1.5), random([channels], 4), random([channels], 5), tf.add(tf.abs(random([channels], 6)), 0.5)]);
    const [gamma, beta] = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    let training: Float32Array = new Float32Array();
    const { grads } = tf.variableGrads(() => {
      const y = layer.apply(x, { training: true }) as tf.Tensor;
      training = y.dataSync() as Float32Array;
      return tf.sum(tf.mul(y, w));
    }, [x, gamma!, beta!]);
    const [movingMean, movingVariance] = layer.getWeights().slice(2);
    const result = {
      training,
      inference: (layer.apply(x, { training: false }) as tf.Tensor).dataSync() as Float32Array,
      grads: [x, gamma!, beta!].map((v) => grads[v.name]!.dataSync() as Float32Array),
      movingMean: movingMean!.dataSync() as Float32Array,
      movingVariance: movingVariance!.dataSync() as Float32Array,
    };
    x.dispose();
    layer.weights.forEach((weight) => weight.dispose());
    return result;
  });
}

beforeAll(() => {
  registerWasmTrainingKernels();
});

describe('FusedBatchNormalization', () => {
  it.each([[[3, 5, 7, 6]], [[1, 4, 4, 3]], [[5, 8]], [[2, 9, 9, 32]]])(
    "on wasm gives tf.layers' batch norm's outputs, gradients and moving averages on cpu: %j",
    async (shape) => {
      const expected = await runLayer('cpu', shape);
      const actual = await runLayer('wasm', shape);
      for (const key of ['training', 'inference', 'movingMean', 'movingVariance'] as const) {
        expect(relativeError(actual[key], expected[key]), key).toBeLessThan(TOLERANCE);
      }
      actual.grads.forEach((grad, i) => expect(relativeError(grad, expected.grads[i]!), `gradient ${i}`).toBeLessThan(TOLERANCE));
    },
  );

  it("is saved as tf.layers' BatchNormalization, which loads it", () => {
    const layer = new FusedBatchNormalization({ ...ARGS, name: 'bn' });
    expect(layer.getClassName()).toBe('BatchNormalization');
    expect(layer.getConfig()).toEqual(tfl.layers.batchNormalization({ ...ARGS, name: 'bn' }).getConfig());
  });
});

describe('conv-bn', () => {
  it('has the same loss, gradients and moving averages on wasm as on cpu', async () => {
    const step = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      const model = buildModel('conv-bn', { size: 16, classes: 3 }, { seed: 7 });
      const x = random([3, 16, 16, 3], 1);
      const y = tf.oneHot(tf.tensor1d([0, 2, 1], 'int32'), 3);
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(
        () => tf.mean(tfl.metrics.categoricalCrossentropy(y, model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar,
        variables,
      );
      const result = {
        loss: value.dataSync()[0]!,
        grads: variables.map((v) => ({ name: v.name, values: grads[v.name]!.dataSync() as Float32Array })),
        weights: model.getWeights().map((w) => w.dataSync() as Float32Array),
      };
      tf.dispose([value, x, y, ...Object.values(grads)]);
      model.dispose();
      return result;
    };
    const expected = await step('cpu');
    const actual = await step('wasm');
    expect(actual.loss).toBeCloseTo(expected.loss, 5);
    // A conv bias just before batch norm has a gradient of zero in exact arithmetic, since batch norm
    // takes the mean away: both backends give only rounding noise there, held to be tiny instead.
    const largest = Math.max(...expected.grads.flatMap((g) => Array.from(g.values, Math.abs)));
    actual.grads.forEach((grad, i) => {
      const reference = expected.grads[i]!;
      if (/conv.*bias/.test(grad.name)) {
        for (const values of [grad.values, reference.values]) expect(Math.max(...Array.from(values, Math.abs)) / largest, grad.name).toBeLessThan(TOLERANCE);
      } else expect(relativeError(grad.values, reference.values), grad.name).toBeLessThan(TOLERANCE);
    });
    // The moving means and variances, updated by the training call.
    actual.weights.forEach((weights, i) => expect(relativeError(weights, expected.weights[i]!), `weight ${i}`).toBeLessThan(TOLERANCE));
  });
});
