import { cp } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { describe, expect, inject, it } from 'vitest';
import type { WorkbenchEvent } from '../../src/shared/api';
import type { JobInfo, SweepResult } from '../../src/shared/jobs';
import { DATASET_DEFAULTS } from '../../src/shared/dataset';
import { TRAINING_DEFAULTS } from '../../src/shared/runs';
import { STUDY_COMPARISONS, sweepRequestSchema, type SweepRequest } from '../../src/shared/sweeps';
import { read } from '../../src/shared/schema';
import { expandSweep } from '../../src/core/training/sweep';
import { MAX_WASM_THREADS } from '../../src/core/training/wasm/thread-count';

const readSweepRequest = (value: unknown) => read(sweepRequestSchema, value, { field: 'sweep' });
import { useTempDirs } from '../support/temp-dir';
import { testWorkbench } from '../support/workbench';

const tempDir = useTempDirs();
const base: SweepRequest = {
  name: 'grid',
  dataset: { ...DATASET_DEFAULTS, stride: 4, gap: 4, crop: 'head', size: 32 },
  training: { ...TRAINING_DEFAULTS, model: 'simple-conv', epochs: 1, batchSize: 16 },
  grid: {},
};

describe('sweeps', () => {
  it('expands a grid into every combination, one dataset per combination of dataset settings', () => {
    const runs = expandSweep({ ...base, grid: { stride: [4, 8], learningRate: [0.01, 0.001], model: ['lenet5', 'conv-bn'] } });
    expect(runs).toHaveLength(8);
    expect([...new Set(runs.map((run) => run.datasetName))]).toEqual(['grid-s4-head', 'grid-s8-head']);
    expect(runs.map((run) => `${run.options.dataset} ${run.options.learningRate} ${run.options.model}`).slice(0, 4)).toEqual([
      'grid-s4-head 0.01 lenet5',
      'grid-s4-head 0.01 conv-bn',
      'grid-s4-head 0.001 lenet5',
      'grid-s4-head 0.001 conv-bn',
    ]);
    expect(runs.every((run) => run.options.epochs === 1 && run.datasetOptions.crop === 'head')).toBe(true);
    expect(expandSweep(base)).toHaveLength(1);
  });

  it('varies the training seed and augmentation too, and names what it varies in each run label', () => {
    const runs = expandSweep({ ...base, grid: { seed: [1, 2], augmentColour: [0.2, 0.4], augmentShift: [0.05] } });
    expect(runs.map((run) => [run.options.seed, run.options.augmentColour, run.options.augmentShift])).toEqual([
      [1, 0.2, 0.05],
      [1, 0.4, 0.05],
      [2, 0.2, 0.05],
      [2, 0.4, 0.05],
    ]);
    // Augmentation is the training's: the runs share one dataset.
    expect(new Set(runs.map((run) => run.datasetName)).size).toBe(1);
    expect(runs[1]!.label).toBe('simple-conv, lr 0.01, batch 16, seed 1, shift 0.05, colour jitter 0.4');
    expect(expandSweep(base)[0]!.label).toBe('simple-conv, lr 0.01, batch 16');
  });

  it('refuses a grid it cannot run, naming the setting', () => {
    expect(() => readSweepRequest({ ...base, grid: { dropout: [0.1] } })).toThrow('"sweep.grid.dropout" is not a field this takes');
    expect(() => readSweepRequest({ ...base, grid: { batchSize: [] } })).toThrow('"sweep.grid.batchSize" must be a list of one value or more');
    expect(() => readSweepRequest({ ...base, grid: { batchSize: [8, 0] } })).toThrow('"sweep.grid.batchSize[1]" must be a whole number from 1 to 4096, got 0');
    expect(() => readSweepRequest({ ...base, grid: { crop: ['face'] } })).toThrow('"sweep.grid.crop[0]" must be one of box, head, got "face"');
    expect(() => readSweepRequest({ ...base, grid: { augmentColour: [0.4, 2] } })).toThrow(
      '"sweep.grid.augmentColour[1]" must be a number from 0 to 0.9, got 2',
    );
    expect(() => readSweepRequest({ ...base, grid: { seed: [-1] } })).toThrow(/"sweep.grid.seed\[0\]" must be a whole number from 0 to 4294967295, got -1/);
    expect(() => readSweepRequest({ ...base, name: '../x' })).toThrow(/sweep.name/);
    expect(() => readSweepRequest({ ...base, grid: { learningRate: [1, 2, 3, 4, 5, 6, 7, 8, 9], batchSize: [1, 2, 3, 4, 5, 6, 7, 8] } })).toThrow(
      /"sweep.grid" must be a grid of at most 64 runs \(this one makes 72\)/,
    );
  });

  it('holds the study’s five comparisons, each a valid sweep of the runs the study compared', () => {
    expect(STUDY_COMPARISONS.map((comparison) => expandSweep(readSweepRequest(comparison.sweep)).length)).toEqual([3, 2, 4, 3, 4]);
    const models = STUDY_COMPARISONS.find((comparison) => comparison.id === 'study-models')!.sweep;
    expect(models.training).toMatchObject({
      learningRate: 0.001,
      batchSize: 8,
      epochs: 80,
      momentum: 0.9,
      augmentFlip: false,
      augmentShift: 0,
      augmentColour: 0,
    });
  });

  it('builds the datasets a sweep needs, queues its runs as one group, and says which combinations could not run', async () => {
    const project = await tempDir();
    await cp(inject('sampleProject'), project, { recursive: true });
    const workbench = testWorkbench(await tempDir());
    await workbench.openProject({ path: project });
    const events: WorkbenchEvent[] = [];
    workbench.onEvent((event) => events.push(event));
    const sweep = await workbench.startSweep({ sweep: { ...base, grid: { stride: [4, 8], batchSize: [16, 4000] } } });
    const ended = (job: JobInfo) =>
      new Promise<WorkbenchEvent>((resolve) => {
        const timer = setInterval(() => {
          const end = events.find((event) => (event.type === 'job-done' || event.type === 'job-failed') && event.jobId === job.id);
          if (!end) return;
          clearInterval(timer);
          resolve(end);
        }, 10);
      });
    const done = await ended(sweep);
    expect(done.type).toBe('job-done');
    const result = (done as { result: SweepResult }).result;
    expect(result.queued).toHaveLength(2);
    expect(result.refused).toEqual([
      {
        dataset: 'grid-s4-head',
        options: 'simple-conv, lr 0.01, batch 4000',
        reason: expect.stringContaining('"batchSize" (4000) is larger than the training set'),
      },
      {
        dataset: 'grid-s8-head',
        options: 'simple-conv, lr 0.01, batch 4000',
        reason: expect.stringContaining('"batchSize" (4000) is larger than the training set'),
      },
    ]);
    await Promise.all(result.queued.map(ended));
    const runs = await workbench.listRuns();
    expect(runs.map((run) => [run.config.group, run.config.options.dataset, run.status]).sort()).toEqual([
      ['grid', 'grid-s4-head', 'done'],
      ['grid', 'grid-s8-head', 'done'],
    ]);
    // Queued together, the two runs shared the cores rather than the first taking them all.
    const share = Math.min(MAX_WASM_THREADS, Math.max(1, Math.floor(availableParallelism() / 2)));
    expect(runs.map((run) => run.config.backend?.threads)).toEqual([share, share]);
  }, 120_000);
});
