import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ConvLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/convolutional';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/core/training/kernels';
import { MODEL_NAMES, buildModel } from '../../src/core/training/models';
import { ImageConv2D } from '../../src/core/training/models/image-conv-layer';
import { TOLERANCE, random, relativeError } from './seeded-values';

beforeAll(() => {
  registerWasmTrainingKernels();
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

interface Result {
  y: Float32Array;
  /** Of the kernel, then of the bias if any. */
  gradients: Float32Array[];
  kernels: string[];
}

/** The layer alone as a model on images of `shape`. */
function modelOf(layer: tfl.layers.Layer, shape: number[]): tfl.LayersModel {
  const image = tfl.input({ shape: shape.slice(1) });
  return tfl.model({ inputs: image, outputs: layer.apply(image) as tfl.SymbolicTensor });
}

/** A model's output on x in training, the gradients of its weights under a seeded loss, and the kernels that ran. */
async function trainingStep(model: tfl.LayersModel, x: tf.Tensor4D): Promise<Result> {
  const weights = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  let y: Float32Array = new Float32Array();
  let gradients: Float32Array[] = [];
  const profile = await tf.profile(() => {
    tf.tidy(() => {
      const loss = () => {
        const output = model.apply(x, { training: true }) as tf.Tensor;
        y = output.dataSync() as Float32Array;
        return tf.sum(tf.mul(output, random(output.shape, 7))) as tf.Scalar;
      };
      const { grads } = tf.variableGrads(loss, weights);
      gradients = weights.map((weight) => grads[weight.name]!.dataSync() as Float32Array);
    });
  });
  return { y, gradients, kernels: profile.kernels.map((kernel) => kernel.name) };
}

const count = (kernels: string[], name: string) => kernels.filter((kernel) => kernel === name).length;

describe('ImageConv2D, the convolution that takes the image', () => {
  // As the models use it: conv-bn's (linear, before a batch norm), lenet5's (tanh), ResNet-50's (no bias,
  // stride 2) and simple-conv's (ReLU, which tfjs already runs unfused in training).
  const layers: Array<[what: string, args: ConvLayerArgs]> = [
    ['linear, 3x3 same', { filters: 16, kernelSize: 3, padding: 'same', useBias: true }],
    ['tanh, 5x5 valid', { filters: 6, kernelSize: 5, padding: 'valid', useBias: true, activation: 'tanh' }],
    ['no bias, 7x7 stride 2 same', { filters: 8, kernelSize: 7, strides: 2, padding: 'same', useBias: false }],
    ['relu, 3x3 same', { filters: 16, kernelSize: 3, padding: 'same', useBias: true, activation: 'relu' }],
  ];
  const cases = (['cpu', 'wasm'] as const).flatMap((backend) => layers.map(([what, args]) => [what, backend, args] as const));

  it.each(cases)('%s on %s: the outputs and weight gradients of tf.layers’ Conv2D, without the image’s gradient', async (_what, backend, args) => {
    await tf.setBackend(backend);
    const x = random([3, 19, 19, 3], 1) as tf.Tensor4D;
    const ours = modelOf(new ImageConv2D({ ...args, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }), biasInitializer: 'ones' }), x.shape);
    const theirs = modelOf(tfl.layers.conv2d(args), x.shape);
    try {
      theirs.setWeights(ours.getWeights());
      const actual = await trainingStep(ours, x);
      const expected = await trainingStep(theirs, x);
      expect(relativeError(actual.y, expected.y)).toBeLessThan(TOLERANCE);
      expect(actual.gradients).toHaveLength(args.useBias ? 2 : 1);
      actual.gradients.forEach((gradient, i) => expect(relativeError(gradient, expected.gradients[i]!)).toBeLessThan(TOLERANCE));
      expect(count(actual.kernels, tf.Conv2DBackpropInput)).toBe(0);
      expect(count(actual.kernels, tf.Conv2DBackpropFilter)).toBe(1);
      // Only the fused convolution computed it before.
      expect(count(expected.kernels, tf.Conv2DBackpropInput)).toBe(args.activation === 'relu' ? 0 : 1);
    } finally {
      tf.dispose(x);
      ours.dispose();
      theirs.dispose();
    }
  });

  it.each(MODEL_NAMES)('takes the image in %s, and saves as tf.layers’ Conv2D under its own name', async (name) => {
    const model = buildModel(name, { size: 32, classes: 3 });
    try {
      const first = model.layers.find((layer) => layer.inboundNodes[0]!.inboundLayers.includes(model.layers[0]!))!;
      expect(first).toBeInstanceOf(ImageConv2D);
      expect(model.layers.filter((layer) => layer instanceof ImageConv2D)).toEqual([first]);
      const reloaded = await tfl.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] });
      const copy = reloaded.getLayer(first.name);
      expect(copy.getClassName()).toBe('Conv2D');
      expect(copy).not.toBeInstanceOf(ImageConv2D);
      reloaded.dispose();
    } finally {
      model.dispose();
    }
  });

  it('leaves no tensor behind, in inference and in training', async () => {
    await tf.setBackend('wasm');
    const x = random([2, 8, 8, 3], 1) as tf.Tensor4D;
    const model = modelOf(new ImageConv2D({ filters: 4, kernelSize: 3, padding: 'same', useBias: true }), x.shape);
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) {
      tf.dispose(model.predict(x) as tf.Tensor);
      await trainingStep(model, x);
    }
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose(x);
    model.dispose();
  });
});
