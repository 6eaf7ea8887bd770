import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkbenchEvent } from '../../src/shared/api';
import { describeBackend, type TrainingReport } from '../../src/shared/runs';
import { writeSyntheticDataset } from '../support/synthetic-dataset';
import { useTempDirs } from '../support/temp-dir';
import { jobEnd, testWorkbench } from '../support/workbench';
import { Workbench } from '../../src/core/workbench';
import { MAX_WASM_THREADS } from '../../src/core/training/wasm/thread-count';
import { modelCost } from '../../src/core/training/models/catalog';
import { parallelPlan } from '../../src/core/training/parallel/data-parallel';
import { encodeFrame } from '../../src/shared/compute';

const tempDir = useTempDirs();

async function workbenchWithDataset() {
  const workbench = testWorkbench(await tempDir());
  const project = await tempDir();
  await writeSyntheticDataset(project, 'colours');
  await workbench.openProject({ path: project });
  const events: WorkbenchEvent[] = [];
  workbench.onEvent((event) => events.push(event));
  return { workbench, events };
}

describe('training from the window', () => {
  it('describes each model at the dataset’s size: parameters and FLOPs, or that it does not fit', async () => {
    const workbench = testWorkbench(await tempDir());
    const models = await workbench.describeModels({ size: 64, classes: 3 });
    expect(models.map((model) => model.name)).toEqual(['simple-conv', 'conv-bn', 'lenet5', 'resnet50']);
    expect(models.find((model) => model.name === 'conv-bn')).toMatchObject({ fits: true, params: 286_435 });
    expect(models.every((model) => model.flops! > 0)).toBe(true);
    expect((await workbench.describeModels({ size: 16, classes: 3 })).find((model) => model.name === 'resnet50')).toMatchObject({
      fits: false,
      params: null,
      minSize: 32,
    });
  });

  it('says what auto trains on: the worker’s first backend installed, or a compute page’s real GPU, with the reasons in auto’s order', async () => {
    const workbench = testWorkbench(await tempDir());
    expect(await workbench.autoBackend()).toEqual({
      name: 'wasm',
      package: '@tensorflow/tfjs-backend-wasm',
      usesGpu: false,
      device: null,
      passedOver: [
        'tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed',
        'webgpu: no compute page is open',
        'tensorflow: @tensorflow/tfjs-node is not installed',
        'webgl: no compute page is open',
      ],
    });
    const page = workbench.computeHosts.connect({ send: () => {}, close: () => {} });
    page.receive(
      encodeFrame({ type: 'hello', userAgent: 'test', gpu: { webgpu: { device: 'nvidia ampere', software: false }, webgl: { missing: 'no WebGL 2' } } }),
    );
    expect(await workbench.autoBackend()).toEqual({
      name: 'webgpu',
      package: '@tensorflow/tfjs-backend-webgpu',
      usesGpu: true,
      device: 'nvidia ampere',
      passedOver: ['tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed'],
    });
  });

  it('trains in a worker, streaming epoch figures, and lists the run with the backend it used', async () => {
    const { workbench, events } = await workbenchWithDataset();
    const job = await workbench.startTraining({ options: { dataset: 'colours', model: 'simple-conv', epochs: 2, batchSize: 8 } });
    expect(job).toMatchObject({ kind: 'training', state: 'queued' });
    const end = await jobEnd(events, job.id);
    expect(end).toMatchObject({ type: 'job-done', result: { summary: { status: 'done', epochs: 2 } } });
    const mine = events.filter((event) => 'jobId' in event && event.jobId === job.id);
    expect(mine[0]).toEqual({ type: 'job-running', jobId: job.id });
    const reports = mine.flatMap((event) => (event.type === 'job-metrics' ? [event.report as TrainingReport] : []));
    expect(reports.filter((report) => report.kind === 'epoch').map((report) => report.kind === 'epoch' && report.epoch)).toEqual([1, 2]);
    const [run] = await workbench.listRuns();
    // A run alone computes on every core: as workers that share each step where the model's work allows.
    const cores = Math.min(availableParallelism(), MAX_WASM_THREADS);
    const { members, threads } = parallelPlan(cores, 8, modelCost('simple-conv', { size: run!.config.dataset!.size, classes: 3 }));
    expect(run).toMatchObject({
      status: 'done',
      epochs: 2,
      config: { backend: { name: 'wasm', requested: 'auto', threads, ...(members > 1 ? { workers: members } : {}) }, options: { model: 'simple-conv' } },
    });
    // The compute page's reasons and the worker's, in auto's order.
    expect(run!.config.backend!.passedOver).toEqual([
      'tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed',
      'webgpu: no compute page is open',
      'tensorflow: @tensorflow/tfjs-node is not installed',
      'webgl: no compute page is open',
    ]);
    expect(describeBackend(run!.config.backend)).toBe(
      members > 1 ? `wasm on ${members} workers of ${threads} thread${threads > 1 ? 's' : ''}` : `wasm on ${threads} threads`,
    );
  });

  it('refuses a dataset whose train part lacks a class, naming it and the parts that hold it; told to go on, it trains and records the thin parts', async () => {
    const workbench = testWorkbench(await tempDir());
    const project = await tempDir();
    await writeSyntheticDataset(project, 'lopsided', { counts: { train: { NM: 24, ND: 24 }, val: { MW: 3, NM: 8, ND: 8 }, test: { MW: 30, NM: 8, ND: 8 } } });
    await workbench.openProject({ path: project });
    const events: WorkbenchEvent[] = [];
    workbench.onEvent((event) => events.push(event));
    const options = { dataset: 'lopsided', model: 'simple-conv' as const, epochs: 1, batchSize: 8 };
    await expect(workbench.startTraining({ options })).rejects.toMatchObject({
      code: 'invalid-dataset',
      message: expect.stringMatching(/^In dataset "lopsided", MW has no crops in train \(val 3, test 30\): a model never predicts a class it has not seen/),
      where: { field: 'allowMissingClasses' },
    });
    const job = await workbench.startTraining({ options: { ...options, allowMissingClasses: true } });
    expect(await jobEnd(events, job.id)).toMatchObject({ type: 'job-done' });
    const [run] = await workbench.listRuns();
    expect(run!.config.dataset!.warnings).toEqual([
      'train has no MW crops: the model cannot learn it',
      'val has 8 NM crops (fewer than 20): its figures for NM are mostly noise',
      'val has 8 ND crops (fewer than 20): its figures for ND are mostly noise',
      'val has 3 MW crops (fewer than 20): its figures for MW are mostly noise',
      'test has 8 NM crops (fewer than 20): its figures for NM are mostly noise',
      'test has 8 ND crops (fewer than 20): its figures for ND are mostly noise',
    ]);
  });

  it('refuses a run its dataset cannot support before queueing it, naming the field', async () => {
    const { workbench } = await workbenchWithDataset();
    await expect(workbench.startTraining({ options: { dataset: 'colours', batchSize: 500 } })).rejects.toMatchObject({
      code: 'invalid-request',
      where: { field: 'batchSize' },
    });
    await expect(workbench.startTraining({ options: { dataset: 'nothing' } })).rejects.toMatchObject({ code: 'not-found', where: { field: 'dataset' } });
    await expect(workbench.startTraining({ options: { dataset: '../x' } })).rejects.toMatchObject({ code: 'invalid-request', where: { field: 'dataset' } });
    await expect(workbench.startTraining({ options: { dataset: 'colours', epochs: 1.5 } })).rejects.toMatchObject({ where: { field: 'options.epochs' } });
    expect(await workbench.listRuns()).toEqual([]);
  });

  it('cancels a training job: the worker stops and the run says it was cancelled', async () => {
    const { workbench, events } = await workbenchWithDataset();
    const job = await workbench.startTraining({ options: { dataset: 'colours', model: 'simple-conv', epochs: 500, batchSize: 8 } });
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => events.some((event) => event.type === 'job-metrics' && event.jobId === job.id) && (clearInterval(timer), resolve()), 5);
    });
    await workbench.cancelJob({ jobId: job.id });
    expect(await jobEnd(events, job.id)).toEqual({ type: 'job-cancelled', jobId: job.id });
    await expect.poll(async () => (await workbench.listRuns())[0]?.status).toBe('cancelled');
  });

  it('survives a worker that dies mid-run: that job fails with the reason, the run says so, and other jobs go on', async () => {
    const workbench = new Workbench({ dataDir: await tempDir(), host: { kind: 'browser' }, workerScript: join(__dirname, '../support/dying-worker.mjs') });
    const project = await tempDir();
    await writeSyntheticDataset(project, 'colours');
    await workbench.openProject({ path: project });
    const events: WorkbenchEvent[] = [];
    workbench.onEvent((event) => events.push(event));
    const demo = await workbench.startDemoJob({ steps: 5, intervalMs: 20 });
    const job = await workbench.startTraining({ options: { dataset: 'colours' } });
    expect(await jobEnd(events, job.id)).toMatchObject({ type: 'job-failed', error: { message: expect.stringContaining('exit code 7') } });
    expect(await jobEnd(events, demo.id)).toMatchObject({ type: 'job-done' });
    const [run] = await workbench.listRuns();
    expect(run).toMatchObject({ status: 'failed', summary: { error: { message: expect.stringContaining('exit code 7') } } });
  });
});
