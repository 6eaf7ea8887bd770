// A run goes on from another's checkpoint (a run a cluster cut off, submitted again): it starts with what
// that run recorded up to its last epoch and trains the rest as the uninterrupted run would have.

import { readFile, readdir, rename, rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { besidePath } from '../../src/core/fs/replace';
import { projectPaths, runPaths } from '../../src/core/project/layout';
import { resumePoint } from '../../src/core/runs/checkpoint';
import { readRun, recordEnding } from '../../src/core/runs/run-folder';
import { trainRun, type TrainRunInput } from '../../src/core/training/train-run';
import { replicasFrom } from '../../src/core/worker/tasks';
import type { JobContext } from '../../src/core/jobs/job-runner';
import { TRAINING_DEFAULTS, type EpochMetrics, type TrainingOptions } from '../../src/shared/runs';
import { assertBuilt } from '../support/built-app';
import { writeSyntheticDataset } from '../support/synthetic-dataset';
import { useTempDirs } from '../support/temp-dir';
import { WORKER_SCRIPT } from '../support/workbench';

assertBuilt();
const tempDir = useTempDirs();
const context: JobContext = { signal: new AbortController().signal, progress: () => {}, log: () => {} };

/** Plain SGD and no augmentation: nothing a checkpoint leaves out (momentum, augmentation draws) changes the steps. */
const options = (epochs: number): TrainingOptions => ({
  ...TRAINING_DEFAULTS,
  dataset: 'colours',
  model: 'conv-bn',
  epochs,
  batchSize: 8,
  momentum: 0,
  augmentFlip: false,
  augmentShift: 0,
  augmentColour: 0,
  backend: 'wasm',
});

async function epochLines(project: string, runId: string): Promise<EpochMetrics[]> {
  const text = await readFile(runPaths(projectPaths(project).run(runId)).metrics, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as EpochMetrics)
    .filter((line) => line.kind === 'epoch');
}

describe('resuming a run from its checkpoint', () => {
  // On two workers, each step is shared with a second copy of the model, which must start from the checkpoint too.
  it.each([1, 2])('trains the epochs after the checkpoint as the uninterrupted run did, its record copied in (%i workers)', async (workers) => {
    const project = await tempDir();
    await writeSyntheticDataset(project, 'colours');
    const train = (input: Omit<TrainRunInput, 'project'>) =>
      workers === 1 ? trainRun({ project, ...input }, context) : trainRun({ project, ...input, threads: workers }, context, replicasFrom(WORKER_SCRIPT));
    await train({ runId: 'whole', options: options(4) });
    await train({ runId: 'cut', options: options(2) });

    const point = await resumePoint(project, 'cut', options(4));
    expect(point).toEqual({ runId: 'cut', epoch: 2, bestEpoch: expect.any(Number) });
    const resumed = await train({ runId: 'resumed', options: options(4), resumeFrom: point! });
    expect(resumed.config.backend?.workers ?? 1).toBe(workers);
    expect(resumed.summary).toMatchObject({ status: 'done', epochs: 4 });
    expect(resumed.config.resumedFrom).toEqual({ runId: 'cut', epoch: 2 });

    const whole = await epochLines(project, 'whole');
    const after = await epochLines(project, 'resumed');
    expect(after.map((line) => line.epoch)).toEqual([1, 2, 3, 4]);
    // Its first two epochs are the cut run's, copied; the next two are the whole run's, up to float rounding.
    expect(after.slice(0, 2)).toEqual(await epochLines(project, 'cut'));
    for (const epoch of [2, 3]) {
      expect(after[epoch]!.trainLoss).toBeCloseTo(whole[epoch]!.trainLoss, 4);
      expect(after[epoch]!.valLoss).toBeCloseTo(whole[epoch]!.valLoss, 4);
    }
    const folder = runPaths(projectPaths(project).run('resumed'));
    expect((await readdir(folder.confusions)).sort()).toEqual(['epoch-001.json', 'epoch-002.json', 'epoch-003.json', 'epoch-004.json', 'test.json']);
    expect((await readRun(projectPaths(project).run('cut'), 'cut')).summary).toMatchObject({ status: 'done', epochs: 2 });
  });

  it('records a run cut off before its summary with its best checkpoint’s epoch and validation figures', async () => {
    const project = await tempDir();
    await writeSyntheticDataset(project, 'colours');
    const trained = await trainRun({ project, runId: 'cut', options: options(2) }, context);
    const folder = projectPaths(project).run('cut');
    // As a cluster leaves a run whose job it killed: the files of every epoch, no summary.
    await rm(runPaths(folder).summary);
    expect(await recordEnding(folder, 'failed', new Error('killed at its time limit'))).toBe(true);
    const { summary } = await readRun(folder, 'cut');
    expect(summary).toMatchObject({ status: 'failed', epochs: 2, bestEpoch: trained.summary.bestEpoch, error: { message: 'killed at its time limit' } });
    expect(summary!.val).toEqual(trained.summary.val);
  });

  it('finds a checkpoint that a run killed as it wrote it left set aside', async () => {
    const project = await tempDir();
    await writeSyntheticDataset(project, 'colours');
    await trainRun({ project, runId: 'cut', options: options(2) }, context);
    const files = runPaths(projectPaths(project).run('cut'));
    // Killed between replaceWith's two moves: the old models set aside, the new ones not yet in place.
    const setAside = (folder: string) => rename(folder, besidePath(folder, 'old'));
    await setAside(files.model('last'));
    await setAside(files.model('best'));
    expect(await resumePoint(project, 'cut', options(4))).toEqual({ runId: 'cut', epoch: 2, bestEpoch: expect.any(Number) });
    for (const which of ['last', 'best'] as const) expect((await readdir(files.model(which))).sort()).toEqual(['model.json', 'weights.bin']);
  });

  it('refuses another model or dataset, and no more epochs than the checkpoint has', async () => {
    const project = await tempDir();
    await writeSyntheticDataset(project, 'colours');
    await trainRun({ project, runId: 'cut', options: options(2) }, context);
    await expect(resumePoint(project, 'cut', { ...options(4), model: 'lenet5' })).rejects.toThrow(
      'Run cut trained model conv-bn, not lenet5: a run resumes with the same model',
    );
    await expect(resumePoint(project, 'cut', options(2))).rejects.toThrow('Run cut has trained 2 epochs already: resume it with more than 2');
    await expect(resumePoint(project, 'nothing', options(4))).rejects.toThrow('There is no run nothing to resume');
  });
});
