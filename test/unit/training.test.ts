import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DATASET_DEFAULTS } from '../../src/shared/dataset';
import { TRAINING_DEFAULTS, type EpochMetrics, type RunConfig, type RunSummary, type TrainingOptions, type TrainingReport } from '../../src/shared/runs';
import { buildDataset } from '../../src/core/dataset/build-dataset';
import type { JobContext } from '../../src/core/jobs/job-runner';
import { projectPaths } from '../../src/core/project/layout';
import { listRuns, recordCrash } from '../../src/core/runs/run-folder';
import { accuracy, confusionMatrix, perClassMetrics } from '../../src/core/training/metrics';
import { learningRateAt } from '../../src/core/training/optimizer';
import { loadModel } from '../../src/core/training/load-model';
import { augmentCrop, drawLook } from '../../src/core/training/augment';
import { Prng } from '../../src/core/util/prng';
import { trainRun } from '../../src/core/training/train-run';
import type { RunResult } from '../../src/shared/runs';
import { preflight } from '../../src/core/training/training-options';
import { read } from '../../src/shared/schema';
import { trainingOptionsSchema } from '../../src/shared/runs';

const readTrainingOptions = (value: unknown) => read(trainingOptionsSchema, value, { field: 'options' });
import { writeSyntheticDataset } from '../support/synthetic-dataset';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();
const options = (change: Partial<TrainingOptions> = {}): TrainingOptions => ({
  ...TRAINING_DEFAULTS,
  dataset: 'colours',
  model: 'simple-conv',
  epochs: 2,
  batchSize: 8,
  backend: 'wasm',
  ...change,
});

function recorder(signal = new AbortController().signal) {
  const reports: TrainingReport[] = [];
  const context: JobContext = { signal, progress: () => {}, log: () => {}, report: (report) => reports.push(report) };
  return { reports, context, epochs: () => reports.filter((report): report is EpochMetrics => report.kind === 'epoch') };
}

async function projectWithColours(): Promise<string> {
  const dir = await tempDir();
  await writeSyntheticDataset(dir, 'colours');
  return dir;
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

describe('classification figures', () => {
  it('counts true classes in rows and predictions in columns, with precision, recall and F1 per class', () => {
    const confusion = confusionMatrix(['MW', 'NM', 'ND'], [0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2]);
    expect(confusion.matrix).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    expect(accuracy(confusion)).toBeCloseTo(4 / 6);
    const [mw, nm, nd] = perClassMetrics(confusion);
    expect(mw).toMatchObject({ label: 'MW', precision: 1, recall: 2 / 3, support: 3 });
    expect(mw!.f1).toBeCloseTo(0.8);
    expect(nm).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(nd).toMatchObject({ precision: 0.5, recall: 1, support: 1 });
  });

  it('gives 0, not NaN, for a class never predicted nor present', () => {
    const [, empty] = perClassMetrics(confusionMatrix(['MW', 'NM'], [0, 0], [0, 0]));
    expect(empty).toEqual({ label: 'NM', precision: 0, recall: 0, f1: 0, support: 0 });
  });
});

describe('training options', () => {
  it('fills in the defaults and names a bad field', () => {
    expect(readTrainingOptions({ dataset: 'd' })).toEqual({ ...TRAINING_DEFAULTS, dataset: 'd' });
    expect(() => readTrainingOptions({ dataset: 'd', batchSize: 0 })).toThrow(
      expect.objectContaining({ code: 'invalid-request', where: { field: 'options.batchSize' } }),
    );
    expect(() => readTrainingOptions({ dataset: 'd', model: 'vgg' })).toThrow(
      '"options.model" must be one of simple-conv, conv-bn, lenet5, resnet50, got "vgg"',
    );
    expect(() => readTrainingOptions({ dataset: 'd', learningRate: 0 })).toThrow(/above 0/);
    expect(() => readTrainingOptions({ dataset: 'd', dropout: 0.5 })).toThrow('"options.dropout" is not a field this takes');
    expect(() => readTrainingOptions({})).toThrow('"options.dataset" is required');
  });

  it('schedules the learning rate per epoch: constant, stepped, cosine', () => {
    const base = { learningRate: 0.1, stepEvery: 2, stepFactor: 0.5, epochs: 4 };
    expect([1, 2, 3, 4].map((epoch) => learningRateAt({ ...base, schedule: 'constant' }, epoch))).toEqual([0.1, 0.1, 0.1, 0.1]);
    expect([1, 2, 3, 4, 5].map((epoch) => learningRateAt({ ...base, schedule: 'step' }, epoch))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    const cosine = [1, 2, 3, 4].map((epoch) => learningRateAt({ ...base, schedule: 'cosine' }, epoch));
    expect(cosine[0]).toBeCloseTo(0.1);
    expect(cosine[2]).toBeCloseTo(0.05);
    expect(cosine[3]).toBeLessThan(0.02);
  });
});

describe('augmentation on the fly', () => {
  // A 4x4 crop whose red channel counts pixels 0..15 and whose green and blue are constant.
  const size = 4;
  const source = Uint8Array.from({ length: size * size * 3 }, (_, i) => (i % 3 === 0 ? (i / 3) * 10 : i % 3 === 1 ? 100 : 200));
  const red = (target: Float32Array) => Array.from({ length: size * size }, (_, p) => Math.round(target[p * 3]! * 255));
  const none = { flip: false, shift: 0, colour: 0 };

  it('without augmentation, only scales to [0, 1]', () => {
    const target = new Float32Array(source.length);
    augmentCrop(source, target, size, drawLook(none, size, new Prng(1)));
    expect(Array.from(target, (value) => Math.round(value * 255))).toEqual(Array.from(source));
  });

  it('mirrors about half the crops, left to right, and shifts with the edges repeated', () => {
    const target = new Float32Array(source.length);
    const random = new Prng(1);
    const mirrored = Array.from({ length: 200 }, () => {
      augmentCrop(source, target, size, drawLook({ ...none, flip: true }, size, random));
      return red(target)[0] === 30;
    }).filter(Boolean).length;
    expect(mirrored).toBeGreaterThan(70);
    expect(mirrored).toBeLessThan(130);
    const rows = new Set<string>();
    for (let i = 0; i < 50; i++) {
      augmentCrop(source, target, size, drawLook({ ...none, shift: 0.25 }, size, random));
      rows.add(red(target).slice(0, 4).join(','));
    }
    // Shifted by -1, 0 or +1 pixel in x (and y): the first row is one of these.
    expect([...rows].every((row) => ['0,10,20,30', '10,20,30,30', '0,0,10,20', '40,50,60,70', '50,60,70,70', '40,40,50,60'].includes(row))).toBe(true);
    expect(rows.size).toBeGreaterThan(3);
  });

  it('jitters colours within bounds, the same way for the same seed', () => {
    const [first, second] = [new Float32Array(source.length), new Float32Array(source.length)];
    augmentCrop(source, first, size, drawLook({ ...none, colour: 0.2 }, size, new Prng(5)));
    augmentCrop(source, second, size, drawLook({ ...none, colour: 0.2 }, size, new Prng(5)));
    expect(first).toEqual(second);
    expect(Math.abs(first[1]! - 100 / 255)).toBeGreaterThan(0);
    expect(Math.abs(first[1]! - 100 / 255)).toBeLessThan(0.25);
    expect(first.every((value) => value >= 0 && value <= 1)).toBe(true);
  });
});

describe('a training run', () => {
  let project: string;
  let run: RunResult;
  let reports: TrainingReport[];

  beforeAll(async () => {
    // Shared by the tests below, so not from useTempDirs (which empties after each test).
    project = await mkdtemp(join(tmpdir(), 'maskbench-test-run-'));
    await writeSyntheticDataset(project, 'colours');
    const recording = recorder();
    reports = recording.reports;
    run = await trainRun({ project, runId: 'first', options: options({ epochs: 4 }) }, recording.context);
  });
  afterAll(() => rm(project, { recursive: true, force: true }));

  it('learns an easy dataset, on the wasm backend with the supplied gradient kernels', () => {
    expect(run.config.backend).toMatchObject({ name: 'wasm', requested: 'wasm' });
    expect(run.summary).toMatchObject({ status: 'done', epochs: 4 });
    expect(run.summary.test!.accuracy).toBeGreaterThan(0.9);
    expect(run.summary.test!.confusion.matrix.flat().reduce((a, b) => a + b)).toBe(24);
  });

  it('streams batch and epoch figures and confusion matrices, and holds the same number of tensors at every epoch end', () => {
    const epochs = reports.filter((report): report is EpochMetrics => report.kind === 'epoch');
    expect(epochs.map((epoch) => epoch.epoch)).toEqual([1, 2, 3, 4]);
    expect(reports.some((report) => report.kind === 'batch')).toBe(true);
    expect(reports.filter((report) => report.kind === 'confusion').map((report) => report.kind === 'confusion' && report.split)).toEqual([
      'val',
      'val',
      'val',
      'val',
      'test',
    ]);
    for (const epoch of epochs) {
      expect(epoch.imagesPerSecond).toBeGreaterThan(0);
      expect(epoch.perClass.map((metrics) => metrics.label)).toEqual(['MW', 'NM', 'ND']);
    }
    expect(new Set(epochs.map((epoch) => epoch.tensors)).size).toBe(1);
  });

  it('writes a run folder that can reproduce and judge it: config, metrics, confusion matrices, models, summary', async () => {
    const folder = projectPaths(project).run('first');
    const config = await readJson<RunConfig>(join(folder, 'config.json'));
    expect(config.options).toEqual(options({ epochs: 4 }));
    expect(config.dataset).toMatchObject({ name: 'colours', size: 32, labels: ['MW', 'NM', 'ND'] });
    expect(config.dataset!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(config.model).toMatchObject({ name: 'simple-conv' });
    expect(config.model!.params).toBeGreaterThan(1000);
    expect(config.versions.tfjs).toBe(tf.version_core);
    const lines = (await readFile(join(folder, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as TrainingReport);
    expect(lines.filter((line) => line.kind === 'epoch')).toHaveLength(4);
    // Every batch is on disk, not only the throttled ones that were streamed: 72 crops in batches of 8.
    expect(lines.filter((line) => line.kind === 'batch')).toHaveLength(4 * 9);
    expect((await readdir(join(folder, 'confusion'))).sort()).toEqual(['epoch-001.json', 'epoch-002.json', 'epoch-003.json', 'epoch-004.json', 'test.json']);
    const summary = await readJson<RunSummary>(join(folder, 'summary.json'));
    expect(summary.bestEpoch).toBe(run.summary.bestEpoch);
    expect(await readdir(folder)).not.toContain('running.json');
  });

  it('keeps the best checkpoint: loaded back, it scores what the summary says on the test part', async () => {
    const folder = projectPaths(project).run('first');
    const model = await loadModel(join(folder, 'model-best'));
    const data = await readJson<{ samples: Array<{ file: string; split: string; label: string }> }>(join(project, 'datasets', 'colours', 'manifest.json'));
    const labels = ['MW', 'NM', 'ND'];
    const test = data.samples.filter((sample) => sample.split === 'test');
    const sharp = (await import('sharp')).default;
    let right = 0;
    for (const sample of test) {
      const raw = await sharp(join(project, 'datasets', 'colours', sample.file))
        .removeAlpha()
        .raw()
        .toBuffer();
      const predicted = tf.tidy(() => tf.argMax(model.predict(tf.div(tf.tensor4d(raw, [1, 32, 32, 3], 'float32'), 255)) as tf.Tensor, -1).dataSync()[0]);
      if (labels[predicted!] === sample.label) right++;
    }
    model.dispose();
    expect(right / test.length).toBeCloseTo(run.summary.test!.accuracy, 5);
    await expect(loadModel(join(folder, 'model-last'))).resolves.toBeDefined();
  });

  it('gives the same figures for the same seed', async () => {
    const again = await trainRun({ project, runId: 'again', options: options({ epochs: 4 }) }, recorder().context);
    expect(again.summary.val).toEqual(run.summary.val);
    expect(again.config.dataset!.hash).toBe(run.config.dataset!.hash);
  });
});

describe('a run on the sample project', () => {
  it('learns real crops: a small conv-bn beats chance by far on frames it never saw', async () => {
    const project = await tempDir();
    await cp(inject('sampleProject'), project, { recursive: true });
    await buildDataset(
      project,
      'heads',
      { ...DATASET_DEFAULTS, stride: 1, gap: 5, crop: 'head', size: 32 },
      { signal: new AbortController().signal, progress: () => {}, log: () => {} },
    );
    const run = await trainRun(
      { project, runId: 'heads', options: options({ dataset: 'heads', model: 'conv-bn', epochs: 6, batchSize: 16, learningRate: 0.01 }) },
      recorder().context,
    );
    const chance = 1 / run.config.dataset!.labels.length;
    expect(run.summary.train!.accuracy).toBeGreaterThan(0.9);
    expect(run.summary.val!.accuracy).toBeGreaterThan(chance + 0.25);
  }, 120_000);
});

describe('stopping and failing', () => {
  it('stops within one batch of a cancel, and the run folder says it was cancelled', async () => {
    const project = await projectWithColours();
    const controller = new AbortController();
    const recording = recorder(controller.signal);
    const batchesBeforeCancel: number[] = [];
    recording.context.report = (report) => {
      if (report.kind !== 'batch') return;
      batchesBeforeCancel.push(report.batch);
      controller.abort();
    };
    await expect(trainRun({ project, runId: 'cancelled', options: options({ epochs: 50 }) }, recording.context)).rejects.toThrow();
    expect(batchesBeforeCancel).toEqual([1]);
    const summary = await readJson<RunSummary>(join(projectPaths(project).run('cancelled'), 'summary.json'));
    expect(summary).toMatchObject({ status: 'cancelled', epochs: 0 });
    expect(summary.error).toBeUndefined();
  });

  it('stops on a loss that is not a number, and says so', async () => {
    const project = await tempDir();
    // A class weight beyond float32's range makes the weighted loss infinite at the first batch.
    await writeSyntheticDataset(project, 'colours', { classWeights: { MW: 1e39, NM: 1, ND: 1 } });
    await expect(trainRun({ project, runId: 'nan', options: options() }, recorder().context)).rejects.toMatchObject({
      code: 'diverged',
      where: { field: 'learningRate' },
    });
    const summary = await readJson<RunSummary>(join(projectPaths(project).run('nan'), 'summary.json'));
    expect(summary).toMatchObject({ status: 'failed', error: { code: 'diverged' } });
    expect(summary.error!.message).toMatch(/epoch 1, batch \d+: training diverged/);
  });

  it.each([
    ['an empty part', { counts: { train: { MW: 8, NM: 8 }, val: { MW: 2, NM: 2 }, test: {} } }, {}, /has no test crops/, 'invalid-dataset'],
    ['one class', { counts: { train: { MW: 8 }, val: { MW: 2 }, test: { MW: 2 } } }, {}, /only one class/, 'invalid-dataset'],
    [
      'a batch larger than the training set',
      {},
      { batchSize: 100 },
      /"batchSize" \(100\) is larger than the training set of dataset "colours" \(72 crops\)/,
      'invalid-request',
    ],
    ['an input size the model cannot take', { size: 16 }, { model: 'resnet50' as const }, /ResNet-50 needs inputs of at least 32 px/, 'invalid-request'],
  ])('refuses %s before queueing, and records it in the run folder if it gets that far', async (_, dataset, change, message, code) => {
    const project = await tempDir();
    await writeSyntheticDataset(project, 'colours', dataset);
    await expect(preflight(project, options(change))).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
    await expect(trainRun({ project, runId: 'bad', options: options(change) }, recorder().context)).rejects.toThrow(message);
    const summary = await readJson<RunSummary>(join(projectPaths(project).run('bad'), 'summary.json'));
    expect(summary).toMatchObject({ status: 'failed', error: { code } });
  });

  it('lists a run cut off by a crash as interrupted, and one whose worker died as failed with the reason', async () => {
    const project = await projectWithColours();
    await trainRun({ project, runId: 'cut-off', options: options({ epochs: 1 }) }, recorder().context);
    const folder = projectPaths(project).run('cut-off');
    // As a process killed mid-run leaves it: no summary, and a running.json naming a process that is gone.
    const { stdout: deadPid } = await promisify(execFile)(process.execPath, ['-p', 'process.pid']);
    await writeFile(join(folder, 'running.json'), JSON.stringify({ pid: Number(deadPid), host: hostname(), startedAt: new Date().toISOString() }));
    await rm(join(folder, 'summary.json'));
    expect((await listRuns(project))[0]).toMatchObject({ id: 'cut-off', status: 'interrupted', epochs: 1, summary: null });
    // Another machine's process (a colleague's, on a shared project folder) cannot be checked from here.
    await writeFile(join(folder, 'running.json'), JSON.stringify({ pid: Number(deadPid), host: `not-${hostname()}`, startedAt: new Date().toISOString() }));
    expect((await listRuns(project))[0]!.status).toBe('running');

    await writeFile(join(folder, 'running.json'), JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
    expect((await listRuns(project))[0]!.status).toBe('running');
    await recordCrash(folder, new Error('The train job stopped unexpectedly: out of memory'));
    expect((await listRuns(project))[0]).toMatchObject({
      status: 'failed',
      epochs: 1,
      summary: { error: { message: expect.stringContaining('out of memory') } },
    });
  });
});
