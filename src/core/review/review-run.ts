// A run's review queue from what it has predicted: its complete cross-fitted predictions when there are
// some, else its own (in-sample) ones; and the labels reviewers kept against it.

import { WorkbenchError } from '../../shared/errors';
import type { KeptLabel, ProjectPredictions, ReviewQueue } from '../../shared/review';
import { readJsonFile, writeJsonFile } from '../fs/json-file';
import { runPaths } from '../project/layout';
import { findRun } from '../runs/manage-runs';
import { datasetOf } from './prediction-files';
import { reviewQueue } from './review-queue';

type PredictionsKind = 'project' | 'cross-fit';

/** The predictions of that kind in a run's folder, or null when it has none. */
export async function readPredictions(runPath: string, kind: PredictionsKind): Promise<ProjectPredictions | null> {
  const files = runPaths(runPath);
  const file = kind === 'project' ? files.projectPredictions : files.crossFitPredictions;
  const predictions = (await readJsonFile(file)) as ProjectPredictions | null;
  if (predictions !== null && (!Array.isArray(predictions.boxes) || !Array.isArray(predictions.labels))) {
    throw new WorkbenchError('invalid-request', `${file} has no "boxes" or "labels" list: predict again to replace it`, { file, field: 'boxes' });
  }
  return predictions;
}

/**
 * The `top` likeliest mistakes not kept in an earlier review. A cross-fit cut short scored only the folds
 * it reached, so the run's own complete predictions are used instead of it, as in sample.
 */
export async function reviewRun(project: string, runId: string, top: number): Promise<ReviewQueue> {
  const run = await findRun(project, runId);
  const crossFitted = await readPredictions(run.path, 'cross-fit');
  const own = await readPredictions(run.path, 'project');
  const predictions = crossFitted?.complete || !own ? crossFitted : own;
  if (!predictions)
    throw new WorkbenchError('not-found', `Run ${runId} has no predictions on the project yet: cross-fit it or predict with it first`, { field: 'runId' });
  const kept = await readKept(run.path);
  const outOfSample = predictions === crossFitted;
  return {
    runId: run.id,
    outOfSample,
    // Cross-fits from before track folds held out stretches of the clip.
    foldBy: outOfSample ? (predictions.crossFit?.by ?? 'time') : null,
    complete: predictions.complete,
    judged: predictions.boxes.length,
    entries: reviewQueue(predictions, datasetOf(run).options, { top, kept }),
    kept,
  };
}

/** Writes of kept.json, one after another per run: two quick decisions must both be kept. */
const keeping = new Map<string, Promise<unknown>>();

/** Records that a reviewer kept boxes' labels against the model (or, with `keep` false, takes that back). */
export async function keepLabels(project: string, runId: string, labels: KeptLabel[], keep: boolean): Promise<KeptLabel[]> {
  const run = await findRun(project, runId);
  const boxes = new Set(labels.map((label) => `${label.frame}/${label.trackId}`));
  const write = async () => {
    const others = (await readKept(run.path)).filter((entry) => !boxes.has(`${entry.frame}/${entry.trackId}`));
    const kept = keep ? [...others, ...labels].sort((a, b) => a.frame - b.frame || a.trackId - b.trackId) : others;
    await writeJsonFile(runPaths(run.path).kept, { schema: 1, kept });
    return kept;
  };
  const done = (keeping.get(run.path) ?? Promise.resolve()).catch(() => {}).then(write);
  keeping.set(run.path, done);
  return done;
}

async function readKept(runPath: string): Promise<KeptLabel[]> {
  const file = runPaths(runPath).kept;
  const read = (await readJsonFile(file)) as { kept?: unknown } | null;
  if (read === null) return [];
  const valid = (entry: unknown): entry is KeptLabel => {
    const { frame, trackId, label } = (entry ?? {}) as Partial<KeptLabel>;
    return Number.isInteger(frame) && Number.isInteger(trackId) && typeof label === 'string';
  };
  if (!Array.isArray(read.kept) || !read.kept.every(valid))
    throw new WorkbenchError('invalid-request', `${file}: "kept" must be a list of { frame, trackId, label }: fix it or delete it`, { file, field: 'kept' });
  return read.kept;
}
