// A run's review queue from what it has predicted: its cross-fitted predictions when there are some,
// else its own (in-sample) ones; and the labels reviewers kept against it.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkbenchError } from '../../shared/errors';
import type { KeptLabel, ProjectPredictions, ReviewQueue } from '../../shared/review';
import { writeJson } from '../runs/run-folder';
import { findRun } from '../runs/manage-runs';
import { CROSS_FIT_FILE, KEPT_FILE, PREDICTIONS_FILE, datasetOf } from './prediction-files';
import { reviewQueue } from './review-queue';

export type PredictionsKind = 'project' | 'cross-fit';

/** A run's predictions of that kind, or null when it has none. */
export async function readPredictions(project: string, runId: string, kind: PredictionsKind): Promise<ProjectPredictions | null> {
  const run = await findRun(project, runId);
  const file = join(run.path, kind === 'project' ? PREDICTIONS_FILE : CROSS_FIT_FILE);
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    return JSON.parse(text) as ProjectPredictions;
  } catch {
    throw new WorkbenchError('invalid-request', `${file} is not valid JSON: predict again to replace it`, { file });
  }
}

export async function reviewRun(project: string, runId: string, top: number): Promise<ReviewQueue> {
  const run = await findRun(project, runId);
  const crossFitted = await readPredictions(project, runId, 'cross-fit');
  const predictions = crossFitted ?? (await readPredictions(project, runId, 'project'));
  if (!predictions) throw new WorkbenchError('not-found', `Run ${runId} has no predictions on the project yet: cross-fit it (maskbench review --folds 3) or predict with it first`, { field: 'runId' });
  return { runId: run.id, outOfSample: crossFitted !== null, complete: predictions.complete, entries: reviewQueue(predictions, datasetOf(run).options, { top }), kept: await readKept(run.path) };
}

/** Records that a reviewer kept a box's label against the model (or, with `keep` false, takes it back). */
export async function keepLabel(project: string, runId: string, label: KeptLabel, keep: boolean): Promise<KeptLabel[]> {
  const run = await findRun(project, runId);
  const others = (await readKept(run.path)).filter((entry) => entry.frame !== label.frame || entry.trackId !== label.trackId);
  const kept = keep ? [...others, label].sort((a, b) => a.frame - b.frame || a.trackId - b.trackId) : others;
  await writeJson(join(run.path, KEPT_FILE), { schema: 1, kept });
  return kept;
}

async function readKept(runPath: string): Promise<KeptLabel[]> {
  const file = join(runPath, KEPT_FILE);
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return [];
  try {
    return (JSON.parse(text) as { kept: KeptLabel[] }).kept;
  } catch {
    throw new WorkbenchError('invalid-request', `${file} is not valid JSON: fix it or delete it (the labels kept in review are listed there)`, { file });
  }
}
