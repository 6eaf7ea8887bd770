// What the user does with finished runs: read everything one recorded, name and tag it, put it in the trash.

import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkbenchError } from '../../shared/errors';
import type { BatchMetrics, CellCrop, EpochMetrics, RunConfusion, RunDetails, RunInfo, RunMeta, SplitPredictions } from '../../shared/runs';
import { readDatasetManifest } from '../dataset/dataset-manifest';
import { readJsonFile, readJsonLines, writeJsonFile } from '../fs/json-file';
import { isSplitFile, projectPaths, runPaths } from '../project/layout';
import { readRun } from './run-folder';

export function findRun(projectDir: string, runId: string): Promise<RunInfo> {
  return readRun(projectPaths(projectDir).run(runId), runId);
}

export async function readRunDetails(projectDir: string, runId: string): Promise<RunDetails> {
  const run = await findRun(projectDir, runId);
  const files = runPaths(run.path);
  const history = ((await readJsonLines(files.metrics)) ?? []) as Array<BatchMetrics | EpochMetrics>;
  const names = (await readdir(files.confusions).catch(() => [] as string[])).filter(isSplitFile).sort();
  const entries = (await Promise.all(names.map((name) => readJsonFile(join(files.confusions, name))))) as Array<
    (RunConfusion & RunConfusion['confusion']) | null
  >;
  const confusions = entries.flatMap((entry) =>
    entry ? [{ epoch: entry.epoch, split: entry.split, confusion: { labels: entry.labels, matrix: entry.matrix } }] : [],
  );
  // The test matrix sorts before the epochs by name; it belongs last.
  confusions.sort((a, b) => Number(a.split === 'test') - Number(b.split === 'test') || a.epoch - b.epoch);
  return { run, history, confusions };
}

export async function updateRunMeta(projectDir: string, runId: string, change: Partial<RunMeta>): Promise<RunInfo> {
  const run = await findRun(projectDir, runId);
  const meta: RunMeta = { name: change.name !== undefined ? change.name : run.name, tags: change.tags ?? run.tags };
  await writeJsonFile(runPaths(run.path).meta, meta);
  return { ...run, ...meta };
}

/** Crops shown for one cell at most; the most confident predictions first. */
const CELL_CROPS = 200;

/**
 * The crops behind one cell of a run's confusion matrix (true `truth`, predicted `predicted`), leading
 * back to their frames and tracks through the dataset's manifest. Crops the dataset no longer has (it was
 * rebuilt since) are counted as missing.
 */
export async function confusionCell(
  projectDir: string,
  runId: string,
  split: 'val' | 'test',
  epoch: number,
  truth: string,
  predicted: string,
): Promise<{ crops: CellCrop[]; missing: number; total: number }> {
  const run = await findRun(projectDir, runId);
  const file = runPaths(run.path).splitPredictions(split, epoch);
  const predictions = (await readJsonFile(file)) as SplitPredictions | null;
  if (!predictions)
    throw new WorkbenchError('not-found', `Run ${runId} has no predictions for ${split === 'test' ? 'the test part' : `epoch ${epoch}`} (no ${file})`, {
      file,
    });
  const dataset = run.config.options.dataset;
  const manifest = await readDatasetManifest(projectDir, dataset);
  const byFile = new Map(manifest.samples.map((sample) => [sample.file, sample]));
  const [t, p] = [predictions.labels.indexOf(truth), predictions.labels.indexOf(predicted)];
  if (t < 0 || p < 0)
    throw new WorkbenchError('invalid-request', `The run's labels are ${predictions.labels.join(', ')}`, { field: t < 0 ? 'truth' : 'predicted' });
  const cell = predictions.files.flatMap((_, i) => (predictions.truth[i] === t && predictions.predicted[i] === p ? [i] : []));
  const found = cell.flatMap((i) => {
    const sample = byFile.get(predictions.files[i]!);
    return sample
      ? [
          {
            path: join(projectPaths(projectDir).dataset(dataset), sample.file),
            frame: sample.frame,
            trackId: sample.trackId,
            truth,
            predicted,
            confidence: predictions.confidence[i]!,
          },
        ]
      : [];
  });
  found.sort((a, b) => b.confidence - a.confidence);
  return { crops: found.slice(0, CELL_CROPS), missing: cell.length - found.length, total: found.length };
}

/** Moves a run that is not training to the project's trash folder; returns where it went. */
export async function trashRun(projectDir: string, runId: string): Promise<string> {
  const run = await findRun(projectDir, runId);
  if (run.status === 'running') throw new WorkbenchError('invalid-request', `Run ${runId} is still training: cancel it before deleting it`, { field: 'runId' });
  const trash = projectPaths(projectDir).trashedRuns;
  await mkdir(trash, { recursive: true });
  let target = join(trash, runId);
  for (let copy = 2; await stat(target).catch(() => null); copy++) target = join(trash, `${runId}-${copy}`);
  await rename(run.path, target);
  return target;
}
