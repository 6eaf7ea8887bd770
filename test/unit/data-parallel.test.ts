// Data-parallel steps: one run's batch shared out over worker threads (the built worker script), each
// with a copy of the model, trains as one worker given the whole batch does, up to float error.

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { TRAINING_DEFAULTS, type TrainingOptions } from '../../src/shared/runs';
import type { ModelName } from '../../src/shared/training';
import { useBackend } from '../../src/core/training/backends';
import { batchTensors } from '../../src/core/training/batch';
import { makeBatch, trainingRecipe, type BatchRecipe, type CropSource } from '../../src/core/training/batch-recipe';
import { EVAL_BATCH, evaluateHere } from '../../src/core/training/evaluation';
import { buildModel } from '../../src/core/training/models';
import { modelCost } from '../../src/core/training/models/catalog';
import { makeOptimizer } from '../../src/core/training/optimizer';
import { DataParallel, parallelPlan } from '../../src/core/training/parallel/data-parallel';
import { partOf } from '../../src/core/training/parallel/shared-sums';
import { trainStep } from '../../src/core/training/trainer';
import { trainRun } from '../../src/core/training/train-run';
import { loadTrainingData } from '../../src/core/training/training-data';
import type { JobContext } from '../../src/core/jobs/job-runner';
import { replicasFrom } from '../../src/core/worker/tasks';
import { assertBuilt } from '../support/built-app';
import { writeSyntheticDataset } from '../support/synthetic-dataset';
import { useTempDirs } from '../support/temp-dir';
import { WORKER_SCRIPT } from '../support/workbench';
import { Prng } from '../../src/core/util/prng';

assertBuilt();
const tempDir = useTempDirs();
/** Starting worker threads with wasm and training take seconds, and many more on a busy machine. */
const SLOW = 120_000;
const LABELS = 3;

/** Crops in each part of the test's dataset. */
const CROPS = 40;

/** A dataset's parts of crops that differ by class (so that a few steps move the weights a good way), in shared memory as a run loads them. */
function crops(size: number): CropSource {
  const random = new Prng(size);
  const part = () => {
    const classes = Int32Array.from({ length: CROPS }, (_, i) => i % LABELS);
    const pixels = size * size * 3;
    const values = new Uint8Array(new SharedArrayBuffer(CROPS * pixels));
    values.forEach((_, i) => (values[i] = Math.floor(255 * (0.5 * random.next() + 0.25 * classes[Math.floor(i / pixels)]!))));
    return { pixels: values, classes };
  };
  return { size, splits: { train: part(), val: part(), test: part() }, classWeights: Float32Array.from([0.5, 1, 2]) };
}

/** `rows` crops of the train part from row `seed`, augmented as a run draws them, or as they are. */
function batch(rows: number, size: number, seed: number, options: { weighted: boolean; augmented: boolean }): BatchRecipe {
  const chosen = Int32Array.from({ length: rows }, (_, i) => (seed * 7 + i * 3) % CROPS);
  if (!options.augmented) return { split: 'train', rows: chosen, looks: null, weighted: options.weighted };
  return trainingRecipe(chosen, size, { flip: true, shift: 0.2, colour: 0.3 }, new Prng(seed), options.weighted);
}

/** The losses of `batches` and the weights after them (batch norm's moving averages too), on `members` workers. */
async function train(options: TrainingOptions, source: CropSource, members: number, batches: BatchRecipe[]) {
  const { size } = source;
  await useBackend('wasm', 1);
  const model = buildModel(options.model, { size, classes: LABELS }, { seed: options.seed });
  const { optimizer } = makeOptimizer(options);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const initial = model.getWeights().map((weight) => Array.from(weight.dataSync()));
  const parallel =
    members > 1
      ? await DataParallel.start(replicasFrom(WORKER_SCRIPT), { members, threads: 1 }, options, source, LABELS, { model, optimizer, variables })
      : null;
  const losses: number[] = [];
  const correct: number[] = [];
  try {
    for (const recipe of batches) {
      const step = parallel
        ? await parallel.step(recipe, options.learningRate)
        : await trainStep(model, optimizer, variables, batchTensors(makeBatch(recipe, source), size, LABELS));
      losses.push(step.loss);
      correct.push(step.correct);
    }
  } finally {
    await parallel?.stop();
  }
  const weights = model.getWeights().map((weight) => Array.from(weight.dataSync()));
  model.dispose();
  optimizer.dispose();
  return { losses, correct, weights, initial };
}

/** The largest difference between two lists of numbers, relative where they are larger than 1. */
const SHAPE = { size: 32, labels: LABELS };

/** The leading worker's LeNet-5 at 32 px, for the tests of faults. */
async function lenetLeader() {
  await useBackend('wasm', 1);
  const options: TrainingOptions = { ...TRAINING_DEFAULTS, dataset: 'd', model: 'lenet5', batchSize: 8 };
  const model = buildModel('lenet5', { size: SHAPE.size, classes: LABELS }, { seed: 1 });
  const { optimizer } = makeOptimizer(options);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  return {
    options,
    leader: { model, optimizer, variables },
    dispose: () => {
      model.dispose();
      optimizer.dispose();
    },
  };
}

function largestDifference(actual: number[], expected: number[]): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  return worst;
}

describe('data-parallel training', () => {
  it('shares a batch out in equal parts, in order', () => {
    expect([0, 1, 2].map((rank) => partOf(32, rank, 3))).toEqual([
      [0, 10],
      [10, 21],
      [21, 32],
    ]);
    // A last batch smaller than the workers are many is the leading worker's alone.
    expect([0, 1].map((rank) => partOf(1, rank, 2))).toEqual([
      [0, 1],
      [0, 0],
    ]);
  });

  it('gives each worker at least 4 crops of a batch and 200 FLOPs a weight, and the cores in equal shares', () => {
    const lenet = modelCost('lenet5', { size: 32, classes: 3 });
    const resnet = modelCost('resnet50', { size: 64, classes: 3 });
    expect(parallelPlan(2, 32, lenet)).toEqual({ members: 2, threads: 1 });
    expect(parallelPlan(16, 32, lenet)).toEqual({ members: 3, threads: 5 });
    expect(parallelPlan(16, 256, modelCost('conv-bn', { size: 64, classes: 3 }))).toEqual({ members: 16, threads: 1 });
    expect(parallelPlan(8, 4, lenet)).toEqual({ members: 1, threads: 8 });
    expect(parallelPlan(1, 32, lenet)).toEqual({ members: 1, threads: 1 });
    // ResNet-50's 23.5 million weights outweigh 8 crops of 64 px: its cores go to threads.
    expect(parallelPlan(2, 8, resnet)).toEqual({ members: 1, threads: 2 });
    expect(parallelPlan(2, 32, resnet)).toEqual({ members: 2, threads: 1 });
    expect(parallelPlan(2, 8, modelCost('resnet50', { size: 224, classes: 3 }))).toEqual({ members: 2, threads: 1 });
  });

  it('loads a dataset into shared memory, where every worker makes its crops from it rather than a copy', async () => {
    const project = await tempDir();
    await writeSyntheticDataset(project, 'colours');
    const data = await loadTrainingData(project, 'colours', new AbortController().signal);
    for (const split of ['train', 'val', 'test'] as const) {
      expect(data.splits[split].count).toBeGreaterThan(0);
      expect(data.splits[split].pixels.buffer).toBeInstanceOf(SharedArrayBuffer);
    }
  });

  it.each<[ModelName, number, TrainingOptions['optimizer'], number]>([
    ['simple-conv', 32, 'sgd', 2],
    ['lenet5', 32, 'adam', 2],
    // Batch norm's shared statistics, which ResNet-50 has too (a minute here, so left to the whole runs of the bench).
    ['conv-bn', 32, 'sgd', 2],
    // Three shares of each sum, none of them half: the workers add up the gradients a share each.
    ['conv-bn', 32, 'sgd', 3],
  ])(
    '%s at %i px with %s on %i workers makes the same steps as on one: losses, right answers, weights and batch norm moving averages',
    async (model, size, optimizer, members) => {
      const options: TrainingOptions = { ...TRAINING_DEFAULTS, dataset: 'd', model, optimizer, batchSize: 8, learningRate: 0.01, seed: 7 };
      // Each worker makes its part's crops, augmented as the leader drew them. The last batch is smaller
      // than the workers are many: one of them has no rows in it.
      const batches = [
        batch(8, size, 1, { weighted: false, augmented: true }),
        batch(7, size, 2, { weighted: true, augmented: true }),
        batch(1, size, 3, { weighted: false, augmented: false }),
      ];
      const source = crops(size);
      const one = await train(options, source, 1, batches);
      const shared = await train(options, source, members, batches);
      expect(largestDifference(shared.losses, one.losses)).toBeLessThan(1e-4);
      expect(shared.correct).toEqual(one.correct);
      // The steps moved the weights, and the shared runs' weights differ by a thousandth of that at most
      // (batch norm over a few values, as in a one-crop batch, magnifies float error).
      const moved = largestDifference(one.weights.flat(), one.initial.flat());
      expect(moved).toBeGreaterThan(1e-3);
      expect(largestDifference(shared.weights.flat(), one.weights.flat())).toBeLessThan(1e-3 * Math.max(1, moved));
    },
    SLOW,
  );

  it(
    'evaluates a chunk over the workers as the leading worker alone does, after steps and after it shares other weights',
    async () => {
      // conv-bn: each worker evaluates with its own batch norm moving averages.
      const options: TrainingOptions = { ...TRAINING_DEFAULTS, dataset: 'd', model: 'conv-bn', batchSize: 8, learningRate: 0.05, seed: 3 };
      await useBackend('wasm', 1);
      const model = buildModel(options.model, { size: SHAPE.size, classes: LABELS }, { seed: options.seed });
      const { optimizer } = makeOptimizer(options);
      const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
      const initial = model.getWeights().map((weight) => weight.clone());
      const source = crops(SHAPE.size);
      const parallel = await DataParallel.start(replicasFrom(WORKER_SCRIPT), { members: 2, threads: 1 }, options, source, LABELS, {
        model,
        optimizer,
        variables,
      });
      const alone = evaluateHere(model, SHAPE);
      const sameFigures = async () => {
        // Seven crops split 3 and 4; one crop is the leader's alone.
        for (const rows of [7, 1]) {
          const chunk: BatchRecipe = { split: 'val', rows: Int32Array.from({ length: rows }, (_, i) => CROPS - 1 - i), looks: null, weighted: false };
          const [shared, own] = [await parallel.evaluate(chunk), await alone(makeBatch(chunk, source))];
          expect(shared.loss).toBeCloseTo(own.loss, 4);
          expect(Array.from(shared.predicted)).toEqual(Array.from(own.predicted));
          expect(largestDifference(Array.from(shared.confidence), Array.from(own.confidence))).toBeLessThan(1e-5);
        }
      };
      try {
        for (const seed of [1, 2, 3]) await parallel.step(batch(8, SHAPE.size, seed, { weighted: false, augmented: true }), options.learningRate);
        await sameFigures();
        // As the best checkpoint is put back before the final evaluations.
        model.setWeights(initial);
        await parallel.shareWeights();
        await sameFigures();
      } finally {
        await parallel.stop();
        tf.dispose(initial);
        model.dispose();
        optimizer.dispose();
      }
    },
    SLOW,
  );

  it(
    'trains a whole run on two workers to the figures of one: every epoch on the val part, then the best checkpoint on test and train',
    async () => {
      const project = await tempDir();
      await writeSyntheticDataset(project, 'colours');
      const options: TrainingOptions = { ...TRAINING_DEFAULTS, dataset: 'colours', model: 'conv-bn', epochs: 3, batchSize: 8, backend: 'wasm' };
      const context: JobContext = { signal: new AbortController().signal, progress: () => {}, log: () => {} };
      const one = await trainRun({ project, runId: 'one', options, threads: 1 }, context, replicasFrom(WORKER_SCRIPT));
      const two = await trainRun({ project, runId: 'two', options, threads: 2 }, context, replicasFrom(WORKER_SCRIPT));
      expect([one.config.backend?.workers, two.config.backend?.workers]).toEqual([undefined, 2]);
      // Not the last epoch: the other worker must be given the best checkpoint before the final evaluations.
      expect(two.summary.bestEpoch).toBe(one.summary.bestEpoch);
      expect(one.summary.bestEpoch).toBeLessThan(options.epochs);
      for (const part of ['val', 'test', 'train'] as const) {
        const [shared, alone] = [two.summary[part]!, one.summary[part]!];
        expect(shared.confusion).toEqual(alone.confusion);
        expect(shared.loss).toBeCloseTo(alone.loss, 4);
      }
    },
    SLOW,
  );

  it(
    'fails with the reason of a worker that could not build its copy of the model',
    async () => {
      const { options, leader, dispose } = await lenetLeader();
      // The replica is told of a model that does not exist; the leader built its own.
      const start = DataParallel.start(
        replicasFrom(WORKER_SCRIPT),
        { members: 2, threads: 1 },
        { ...options, model: 'nonet' as ModelName },
        crops(SHAPE.size),
        LABELS,
        leader,
      );
      await expect(start).rejects.toThrow(/^Worker 2 of the 2 that share this run's steps failed: .*nonet/);
      dispose();
    },
    SLOW,
  );

  it(
    'lets the other workers go when the leading one fails in a step, so that the run ends',
    async () => {
      const { options, leader, dispose } = await lenetLeader();
      const parallel = await DataParallel.start(replicasFrom(WORKER_SCRIPT), { members: 2, threads: 1 }, options, crops(SHAPE.size), LABELS, leader);
      await parallel.step(batch(8, SHAPE.size, 1, { weighted: false, augmented: true }), 0.01);
      // A batch larger than the memory shared for one (a chunk to evaluate's, here) fails in the leader.
      await expect(parallel.step(batch(EVAL_BATCH + 1, SHAPE.size, 2, { weighted: false, augmented: false }), 0.01)).rejects.toThrow(RangeError);
      await parallel.stop();
      dispose();
    },
    SLOW,
  );
});
