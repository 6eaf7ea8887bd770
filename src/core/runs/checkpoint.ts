// A run's checkpoint: model-last holds the weights after its latest epoch, model-best its best so far,
// each with its epoch in model.json. A run cut off before its last epoch (a cluster's time limit, a node
// that failed) can be resumed from there as a new run that copies what it recorded up to that epoch.

import { cp, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkbenchError } from '../../shared/errors';
import type { BatchMetrics, ConfusionMatrix, EpochMetrics, RunConfig, SplitMetrics, TrainingOptions } from '../../shared/runs';
import { readJsonFile } from '../fs/json-file';
import { restoreSetAside } from '../fs/replace';
import { modelPaths, projectPaths, runPaths } from '../project/layout';

/** Where a run resumes another: the run, the epoch of its checkpoint and of its best model then. */
export interface ResumePoint {
  runId: string;
  epoch: number;
  bestEpoch: number;
}

/** The epoch a model folder holds (written by trainer.ts modelFiles), or null without one. */
async function modelEpoch(folder: string): Promise<number | null> {
  await restoreSetAside(folder);
  const json = (await readJsonFile(modelPaths(folder).model).catch(() => null)) as { userDefinedMetadata?: { epoch?: unknown } } | null;
  const epoch = json?.userDefinedMetadata?.epoch;
  return typeof epoch === 'number' && Number.isInteger(epoch) && epoch > 0 ? epoch : null;
}

/** The checkpoint of run `runId` to train `options` on from, or null when it has none; an error says why it cannot be. */
export async function resumePoint(projectDir: string, runId: string, options: TrainingOptions): Promise<ResumePoint | null> {
  const folder = projectPaths(projectDir).run(runId);
  const files = runPaths(folder);
  const config = (await readJsonFile(files.config)) as RunConfig | null;
  if (!config) throw new WorkbenchError('run-not-found', `There is no run ${runId} to resume`, { field: 'resumeFrom' });
  for (const key of ['model', 'dataset'] as const) {
    if (config.options[key] !== options[key])
      throw new WorkbenchError(
        'invalid-request',
        `Run ${runId} trained ${key} ${config.options[key]}, not ${options[key]}: a run resumes with the same ${key}`,
        {
          field: key,
        },
      );
  }
  const [epoch, bestEpoch] = await Promise.all([modelEpoch(files.model('last')), modelEpoch(files.model('best'))]);
  if (epoch === null || bestEpoch === null || bestEpoch > epoch) return null;
  if (epoch >= options.epochs)
    throw new WorkbenchError('invalid-request', `Run ${runId} has trained ${epoch} epochs already: resume it with more than ${epoch}`, { field: 'epochs' });
  return { runId, epoch, bestEpoch };
}

/**
 * Copies into `folder` what the resumed run recorded up to its checkpoint: the validation matrices and
 * predictions of those epochs, and its models. Resolves to its metrics.jsonl's lines of those epochs, for
 * the new run's to start with.
 */
export async function copyHistory(projectDir: string, point: ResumePoint, folder: string): Promise<Array<BatchMetrics | EpochMetrics>> {
  const from = runPaths(projectPaths(projectDir).run(point.runId));
  const to = runPaths(folder);
  const text = await readFile(from.metrics, 'utf8').catch(() => '');
  const lines = text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as BatchMetrics | EpochMetrics)
    .filter((line) => line.epoch <= point.epoch);
  for (const [source, target] of [
    [from.confusions, to.confusions],
    [from.predictions, to.predictions],
  ] as const) {
    for (const name of await readdir(source).catch(() => [] as string[])) {
      const epoch = /^epoch-(\d+)\.json$/.exec(name)?.[1];
      if (epoch !== undefined && Number(epoch) <= point.epoch) await cp(join(source, name), join(target, name));
    }
  }
  for (const which of ['best', 'last'] as const) await cp(from.model(which), to.model(which), { recursive: true });
  return lines;
}

/**
 * The run's best checkpoint so far, its epoch and validation figures as its folder records them, or null
 * without one: what a run cut off (killed on a cluster, resumed) has to show for itself.
 */
export async function bestCheckpoint(folder: string): Promise<{ epoch: number; val: SplitMetrics } | null> {
  const files = runPaths(folder);
  const epoch = await modelEpoch(files.model('best'));
  if (epoch === null) return null;
  const text = await readFile(files.metrics, 'utf8').catch(() => '');
  const best = text
    .split('\n')
    .filter((line) => line.startsWith('{"kind":"epoch"'))
    .map((line) => JSON.parse(line) as EpochMetrics)
    .find((line) => line.epoch === epoch);
  const confusion = (await readJsonFile(files.confusion('val', epoch))) as ConfusionMatrix | null;
  if (!best || !confusion) return null;
  return {
    epoch,
    val: { loss: best.valLoss, accuracy: best.valAccuracy, perClass: best.perClass, confusion: { labels: confusion.labels, matrix: confusion.matrix } },
  };
}
