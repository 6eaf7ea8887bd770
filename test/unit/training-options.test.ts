// Every choice the CLI and the Train view offer, each in a real run kept tiny (the smallest input each
// model takes, one batch an epoch), so that a choice that cannot train is found here, not by a user.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRAINING_DEFAULTS, type EpochMetrics, type RunResult, type TrainingOptions, type TrainingReport } from '../../src/shared/runs';
import type { JobContext } from '../../src/core/jobs/job-runner';
import { projectPaths } from '../../src/core/project/layout';
import { readRun } from '../../src/core/runs/run-folder';
import { useBackend } from '../../src/core/training/backends';
import { makeOptimizer } from '../../src/core/training/optimizer';
import { trainRun } from '../../src/core/training/train-run';
import { writeSyntheticDataset } from '../support/synthetic-dataset';

/** Two crops a class to train on (one batch of 6), one each to validate and to test on. */
const COUNTS = { train: { MW: 2, NM: 2, ND: 2 }, val: { MW: 1, NM: 1, ND: 1 }, test: { MW: 1, NM: 1, ND: 1 } };
const WEIGHTS = { MW: 0.5, NM: 1, ND: 2 };

let project: string;
let runs = 0;
/** The first epoch's training loss without augmentation, to tell that an augmentation changed what was trained on. */
let plainLoss: number;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'maskbench-test-options-'));
  for (const size of [8, 16, 32]) await writeSyntheticDataset(project, `px${size}`, { size, counts: COUNTS, classWeights: WEIGHTS });
  await writeSyntheticDataset(project, 'misleading', { size: 8, counts: COUNTS, misleadingVal: true });
  plainLoss = (await train({})).epochs[0]!.trainLoss;
});
afterAll(() => rm(project, { recursive: true, force: true }));

/** One epoch of simple-conv on 8 px crops, on wasm, without augmentation, but for `change`. */
async function train(change: Partial<TrainingOptions>): Promise<{ run: RunResult; epochs: EpochMetrics[] }> {
  const reports: TrainingReport[] = [];
  const context: JobContext = { signal: new AbortController().signal, progress: () => {}, log: () => {}, report: (report) => reports.push(report) };
  const options: TrainingOptions = {
    ...TRAINING_DEFAULTS,
    dataset: 'px8',
    model: 'simple-conv',
    epochs: 1,
    batchSize: 6,
    augmentFlip: false,
    augmentShift: 0,
    augmentColour: 0,
    backend: 'wasm',
    ...change,
  };
  const run = await trainRun({ project, runId: `run-${++runs}`, options }, context);
  return { run, epochs: reports.filter((report): report is EpochMetrics => report.kind === 'epoch') };
}

describe('optimisers and learning-rate schedules', () => {
  it.each([
    ['sgd', 'constant', [0.01, 0.01, 0.01]],
    ['sgd', 'step', [0.01, 0.005, 0.0025]],
    ['adam', 'constant', [0.01, 0.01, 0.01]],
    ['adam', 'step', [0.01, 0.005, 0.0025]],
    ['sgd', 'cosine', [0.01, 0.0075, 0.0025]],
  ] as const)('trains with %s and a %s rate', async (optimizer, schedule, rates) => {
    const { run, epochs } = await train({ optimizer, schedule, epochs: 3, stepEvery: 1, stepFactor: 0.5, learningRate: 0.01 });
    expect(run.summary).toMatchObject({ status: 'done', epochs: 3 });
    expect(epochs.map((epoch) => epoch.learningRate)).toEqual(rates.map((rate) => expect.closeTo(rate, 10)));
  });

  it.each(['sgd', 'adam'] as const)('gives %s the rate of each epoch (tfjs cannot tell the optimisers apart by instanceof)', async (name) => {
    await useBackend('wasm');
    const { optimizer, setLearningRate } = makeOptimizer({ ...TRAINING_DEFAULTS, dataset: 'd', optimizer: name });
    setLearningRate(0.0042);
    expect(optimizer.getConfig()).toMatchObject({ learningRate: 0.0042 });
    optimizer.dispose();
  });
});

describe('augmentation, class weights and early stopping', () => {
  it.each([
    ['mirroring', { augmentFlip: true }],
    ['shifting', { augmentShift: 0.5 }],
    ['colour jitter', { augmentColour: 0.9 }],
  ])('trains with %s, on crops it changed', async (_, change) => {
    const { run, epochs } = await train(change);
    expect(run.summary.status).toBe('done');
    expect(epochs[0]!.trainLoss).not.toBe(plainLoss);
  });

  it('weights the loss by class when asked, and not when not', async () => {
    const weighted = await train({ classWeights: true });
    const unweighted = await train({ classWeights: false });
    expect(weighted.run.config.dataset!.classWeights).toEqual(WEIGHTS);
    expect(unweighted.run.config.dataset!.classWeights).toBeNull();
    expect(weighted.epochs[0]!.trainLoss).not.toBe(unweighted.epochs[0]!.trainLoss);
  });

  it('stops after `patience` epochs without a better validation accuracy', async () => {
    const { run } = await train({ dataset: 'misleading', epochs: 20, patience: 1 });
    expect(run.summary.status).toBe('stopped-early');
    expect(run.summary.epochs).toBe(run.summary.bestEpoch! + 1);
  });
});

describe('models', () => {
  it.each([
    ['simple-conv', 8],
    ['conv-bn', 8],
    ['lenet5', 16],
    ['resnet50', 32],
  ] as const)(
    'trains %s on %i px crops, the smallest it takes',
    async (model, size) => {
      const { run } = await train({ model, dataset: `px${size}` });
      expect(run.summary).toMatchObject({ status: 'done', epochs: 1 });
      expect(run.config.model!.name).toBe(model);
    },
    60_000,
  );
});

describe('backends', () => {
  it.each(['wasm', 'cpu', 'auto'] as const)('trains on %s', async (backend) => {
    const { run } = await train({ backend });
    expect(run.summary.status).toBe('done');
    expect(run.config.backend).toMatchObject({ requested: backend, name: backend === 'auto' ? expect.any(String) : backend });
  });

  it.each([
    ['tensorflow', '@tensorflow/tfjs-node'],
    ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu'],
  ] as const)('refuses %s where it cannot load, naming what is missing, and the run folder says so', async (backend, pkg) => {
    await expect(train({ backend })).rejects.toMatchObject({
      code: 'backend-unavailable',
      where: { field: 'backend' },
      message: expect.stringContaining(`${pkg} is not installed`),
    });
    const id = `run-${runs}`;
    expect(await readRun(projectPaths(project).run(id), id)).toMatchObject({ status: 'failed', summary: { error: { code: 'backend-unavailable' } } });
  });
});
