// A run's review queue from what it has predicted: its cross-fitted predictions when there are some,
// else its own (in-sample) ones.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkbenchError } from '../../shared/errors';
import type { ProjectPredictions, ReviewQueue } from '../../shared/review';
import { findRun } from '../runs/manage-runs';
import { CROSS_FIT_FILE, PREDICTIONS_FILE, datasetOf } from './prediction-files';
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
  return { runId: run.id, outOfSample: crossFitted !== null, complete: predictions.complete, entries: reviewQueue(predictions, datasetOf(run).options, { top }) };
}
