import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../src/shared/errors';
import { MODELS } from '../../src/shared/training';
import { MODEL_NAMES, buildModel, checkInputSize, modelCost, type ModelName } from '../../src/core/training/models';
import { countCost } from '../../src/core/training/models/cost';
import { convBn } from '../../src/core/training/models/conv-bn';
import { lenet5 } from '../../src/core/training/models/lenet5';
import { simpleConv } from '../../src/core/training/models/simple-conv';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Builds, hands the model over, and always disposes it. */
function withModel<R>(name: ModelName, size: number, classes: number, use: (model: LayersModel) => R, seed?: number): R {
  const model = buildModel(name, { size, classes }, seed === undefined ? {} : { seed });
  try {
    return use(model);
  } finally {
    model.dispose();
  }
}

function predictShape(model: LayersModel, size: number, batch = 2): number[] {
  return tf.tidy(() => (model.predict(tf.zeros([batch, size, size, 3])) as tf.Tensor).shape);
}

function weightsOf(model: LayersModel): Float32Array[] {
  return model.getWeights().map((weight) => weight.dataSync() as Float32Array);
}

function errorOf(run: () => unknown): WorkbenchError {
  try {
    run();
  } catch (error) {
    if (error instanceof WorkbenchError) return error;
    throw error;
  }
  throw new Error('expected a WorkbenchError');
}

describe('building the models', () => {
  const cases: Array<[ModelName, number, number]> = [
    ['simple-conv', 32, 3],
    ['simple-conv', 64, 2],
    ['simple-conv', 96, 3],
    ['conv-bn', 32, 2],
    ['conv-bn', 64, 3],
    ['conv-bn', 96, 3],
    ['lenet5', 32, 3],
    ['lenet5', 64, 2],
    ['lenet5', 96, 3],
    ['resnet50', 32, 3],
    ['resnet50', 64, 2],
  ];

  it.each(cases)(
    '%s at %i px with %i classes gives [n, classes] and as many weights as modelCost counts',
    (name, size, classes) => {
      withModel(name, size, classes, (model) => {
        expect(predictShape(model, size)).toEqual([2, classes]);
        expect(model.outputs[0]!.shape).toEqual([null, classes]);
        expect(model.layers.at(-1)!.getConfig().activation).toBe('softmax');
        expect(modelCost(name, { size, classes }).params).toBe(model.countParams());
        const trainable = model.trainableWeights.reduce((sum, weight) => sum + weight.read().size, 0);
        expect(modelCost(name, { size, classes }).trainableParams).toBe(trainable);
      });
    },
    60_000,
  );

  it('gives the outputs a probability distribution', () => {
    withModel('lenet5', 32, 3, (model) => {
      const sums = tf.tidy(() => tf.sum(model.predict(tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', 5)) as tf.Tensor, 1).arraySync() as number[]);
      for (const sum of sums) expect(sum).toBeCloseTo(1, 5);
    });
  });

  it('makes a fresh, uncompiled model each time', () => {
    withModel('simple-conv', 32, 3, (a) =>
      withModel('simple-conv', 32, 3, (b) => {
        expect(a).not.toBe(b);
        expect(a.optimizer).toBeUndefined();
        expect(a.layers.map((layer) => layer.name)).toEqual(b.layers.map((layer) => layer.name));
      }),
    );
  });
});

describe('weight counts (a PyTorch twin must match them)', () => {
  it('conv-bn: 286,435 at 64 px and 3 classes, batch norm moving statistics included', () => {
    expect(modelCost('conv-bn', { size: 64, classes: 3 })).toMatchObject({ params: 286_435, trainableParams: 286_435 - 2 * (16 + 32 + 64) });
  });

  it('simple-conv: conv-bn without its 4 weights per channel of batch norm', () => {
    expect(modelCost('simple-conv', { size: 64, classes: 3 }).params).toBe(286_435 - 4 * (16 + 32 + 64));
  });

  it('lenet5: 61,411 at 32 px and 3 classes', () => {
    expect(modelCost('lenet5', { size: 32, classes: 3 })).toMatchObject({ params: 61_411, trainableParams: 61_411 });
  });

  it("resnet50: torchvision's 25,557,032 less its 1000-class head, plus ours; the same at any input size", () => {
    for (const classes of [2, 3, 10]) {
      const cost = modelCost('resnet50', { size: 64, classes });
      expect(cost.trainableParams).toBe(25_557_032 - (2048 * 1000 + 1000) + 2048 * classes + classes);
      expect(cost.params / (23.5e6 + 2048 * classes + classes)).toBeCloseTo(1, 1);
      expect(modelCost('resnet50', { size: 224, classes }).params).toBe(cost.params);
    }
  });

  it('resnet50: torchvision layout (stride on the 3x3 conv, projection on each first block, no conv bias)', () => {
    withModel('resnet50', 224, 3, (model) => {
      const config = (name: string) => model.getLayer(name).getConfig();
      expect(config('conv1')).toMatchObject({ kernelSize: [7, 7], strides: [2, 2], useBias: false });
      for (const stage of [2, 3, 4]) {
        expect(config(`stage${stage}_block1_conv1`).strides).toEqual([1, 1]);
        expect(config(`stage${stage}_block1_conv2`).strides).toEqual([2, 2]);
        expect(config(`stage${stage}_block1_downsample_conv`).strides).toEqual([2, 2]);
      }
      expect(config('stage1_block1_downsample_conv').strides).toEqual([1, 1]);
      expect(() => model.getLayer('stage1_block2_downsample_conv')).toThrow();
      expect(model.getLayer('stage4_block3_conv3').outputShape).toEqual([null, 7, 7, 2048]);
      const convs = model.layers.filter((layer) => layer.getClassName() === 'Conv2D');
      expect(convs).toHaveLength(1 + 3 * 16 + 4);
    });
  }, 60_000);
});

describe('the PyTorch twin (bench/pytorch/train_speed.py)', () => {
  // Debian's python3-torch is for the system Python; where it is missing the check is skipped, not failed.
  it('has the same weight counts at the same sizes', ({ skip }) => {
    for (const [size, classes] of [
      [32, 3],
      [64, 2],
    ] as const) {
      const run = spawnSync('/usr/bin/python3', ['bench/pytorch/train_speed.py', '--params', '--size', String(size), '--classes', String(classes)], {
        encoding: 'utf8',
      });
      if (run.error || /No module named 'torch'/.test(run.stderr)) skip('no PyTorch for /usr/bin/python3');
      expect(run.status, run.stderr).toBe(0);
      const lines = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { model: ModelName; params: number; trainableParams: number });
      expect(lines.map((line) => line.model)).toEqual(MODEL_NAMES);
      for (const line of lines) {
        const { params, trainableParams } = modelCost(line.model, { size, classes });
        expect({ model: line.model, params: line.params, trainableParams: line.trainableParams }).toEqual({ model: line.model, params, trainableParams });
      }
    }
  }, 60_000);
});

describe('FLOPs (2 x the multiply-accumulates of conv and dense layers)', () => {
  it('lenet5 at 32 px: 1.30 MFLOPs (0.65 M MACs; the 0.42 M often quoted is the greyscale original)', () => {
    const macs = 28 * 28 * 6 * (5 * 5 * 3) + 10 * 10 * 16 * (5 * 5 * 6) + 400 * 120 + 120 * 84 + 84 * 3;
    expect(modelCost('lenet5', { size: 32, classes: 3 }).flops).toBe(2 * macs);
    expect(2 * macs).toBe(1_302_264);
  });

  it('conv-bn at 64 px: counted by hand', () => {
    const macs = 64 * 64 * 27 * 16 + 32 * 32 * 144 * 32 + 16 * 16 * 288 * 64 + 8 * 8 * 64 * 64 + 64 * 3;
    expect(modelCost('conv-bn', { size: 64, classes: 3 }).flops).toBe(2 * macs);
    expect(modelCost('simple-conv', { size: 64, classes: 3 }).flops).toBe(2 * macs);
  });

  it('resnet50 at 224 px: about 2 x 4.1 G, and four times that at twice the side', () => {
    const at224 = modelCost('resnet50', { size: 224, classes: 3 }).flops;
    expect(at224).toBeGreaterThan(7.7e9);
    expect(at224).toBeLessThan(8.3e9);
    expect(modelCost('resnet50', { size: 448, classes: 3 }).flops / at224).toBeCloseTo(4, 3);
  });

  it('counts without building: no tensors, and quickly even for resnet50', () => {
    const before = tf.memory().numTensors;
    const start = performance.now();
    for (const name of MODEL_NAMES) for (const size of [32, 64, 224]) modelCost(name, { size, classes: 3 });
    expect(performance.now() - start).toBeLessThan(100);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('input sizes and other requests', () => {
  it.each(MODEL_NAMES)('%s refuses inputs below its smallest size, naming the field and the size', (name) => {
    const { minSize } = MODELS[name];
    expect(() => checkInputSize(name, minSize)).not.toThrow();
    for (const run of [
      () => checkInputSize(name, minSize - 1),
      () => buildModel(name, { size: minSize - 1, classes: 3 }),
      () => modelCost(name, { size: minSize - 1, classes: 3 }),
    ]) {
      const error = errorOf(run);
      expect(error.code).toBe('invalid-request');
      expect(error.where).toEqual({ field: 'size' });
      expect(error.message).toContain(`${minSize} px`);
    }
  });

  it('the smallest sizes are really the smallest the layers can take', () => {
    for (const [architecture, minSize] of [
      [simpleConv, MODELS['simple-conv'].minSize],
      [convBn, MODELS['conv-bn'].minSize],
      [lenet5, MODELS.lenet5.minSize],
    ] as const) {
      expect(() => countCost(architecture, minSize, 3)).not.toThrow();
      expect(() => countCost(architecture, minSize - 1, 3)).toThrow(/would output/);
    }
    // ResNet-50 pads its way through any size; 32 px is where its five halvings reach 1 x 1.
    expect(modelCost('resnet50', { size: 32, classes: 3 }).flops).toBeGreaterThan(0);
  });

  it('refuses unknown models, fractional sizes, fewer than two classes and odd seeds', () => {
    expect(errorOf(() => buildModel('vgg16' as ModelName, { size: 64, classes: 3 })).where).toEqual({ field: 'model' });
    expect(errorOf(() => modelCost('lenet5', { size: 32.5, classes: 3 })).where).toEqual({ field: 'size' });
    expect(errorOf(() => modelCost('lenet5', { size: 32, classes: 1 })).where).toEqual({ field: 'classes' });
    expect(errorOf(() => buildModel('lenet5', { size: 32, classes: 3 }, { seed: 0.5 })).where).toEqual({ field: 'seed' });
  });
});

describe('initialisation and memory', () => {
  it.each(['lenet5', 'conv-bn'] as const)('%s: a seeded build gives the same weights twice, another seed others', (name) => {
    const first = withModel(name, 32, 3, weightsOf, 7);
    const again = withModel(name, 32, 3, weightsOf, 7);
    const other = withModel(name, 32, 3, weightsOf, 8);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('gives each layer its own stream: same-shaped resnet50 kernels differ, and repeat under the seed', () => {
    const kernels = (model: LayersModel) =>
      ['stage1_block2_conv1', 'stage1_block3_conv1'].map((name) => model.getLayer(name).getWeights()[0]!.dataSync().slice(0, 64));
    const [a, b] = withModel('resnet50', 32, 3, kernels, 11);
    expect(a).not.toEqual(b);
    expect(withModel('resnet50', 32, 3, kernels, 11)).toEqual([a, b]);
  }, 60_000);

  it('unseeded builds differ', () => {
    expect(withModel('lenet5', 32, 3, weightsOf)).not.toEqual(withModel('lenet5', 32, 3, weightsOf));
  });

  it.each(MODEL_NAMES)(
    '%s leaves no tensors behind once disposed',
    (name) => {
      const before = tf.memory().numTensors;
      withModel(name, 32, 3, (model) => predictShape(model, 32, 1));
      expect(tf.memory().numTensors).toBe(before);
    },
    60_000,
  );
});
