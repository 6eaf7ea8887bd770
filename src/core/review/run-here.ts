// Predictions, cross-fit folds and heat maps computed in this process (a worker thread, or the CLI), on
// a backend of its own: the one asked for, or for `auto` the fastest that loads here. The main process
// sends them here, or to the compute page (ComputeHosts), and never loads TensorFlow.js itself.

import type { ProjectPredictions } from '../../shared/review';
import type { BackendChoice } from '../../shared/runs';
import type { JobContext } from '../jobs/job-runner';
import { checkBackendHere } from '../training/backend-list';
import { useBackend } from '../training/backends';
import { loadModel } from '../training/load-model';
import type { StartReplica } from '../training/parallel/data-parallel';
import { trainRun } from '../training/train-run';
import { modelClassifier, type OpenClassifier } from './classify';
import { crossFit, type CrossFitInput } from './cross-fit';

/** `threads`: the cores given to the job (every core when left out). */
export function openHere(requested: BackendChoice = 'auto', threads?: number): OpenClassifier {
  return async (wanted) => {
    const backend = await useBackend(requested, threads);
    return modelClassifier(await loadModel(wanted.folder), wanted, backend.name);
  };
}

/** A cross-fit whose folds train here on their backend, their models judging on `input.backend` (or `auto`). */
/** `startReplica`: how the fold runs start the workers that share their steps (see trainRun). */
export function crossFitHere(input: CrossFitInput, context: JobContext, startReplica?: StartReplica): Promise<ProjectPredictions> {
  return crossFit(input, context, {
    check: checkBackendHere,
    train: (run, runContext) => trainRun(run, runContext, startReplica),
    open: openHere(input.backend, input.threads),
  });
}
