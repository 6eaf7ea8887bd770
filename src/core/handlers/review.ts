// A model in the loop: predictions and cross-fits as jobs, the review queue, kept labels and heat maps.

import type { BoxExplanation } from '../../shared/review';
import type { RunInfo } from '../../shared/runs';
import { WorkbenchError } from '../../shared/errors';
import { checkLabels, datasetOf } from '../review/prediction-files';
import { keepLabel, readPredictions, reviewRun } from '../review/review-run';
import { findRun } from '../runs/manage-runs';
import type { CoreContext, Handlers } from './context';

export function reviewHandlers(
  context: CoreContext,
): Handlers<'startPrediction' | 'startCrossFit' | 'predictions' | 'reviewQueue' | 'keepLabel' | 'explainBox'> {
  const { session, jobs, inWorker } = context;
  /** The heat map being made, stopped when another is asked for. */
  let explaining: AbortController | null = null;

  /** A frame of the open project's clip, or an error naming the field. */
  const checkFrame = (frame: number, field: string, from = 0): number => {
    const last = session.requireStore().annotations.frameCount - 1;
    if (frame < from || frame > last)
      throw new WorkbenchError('invalid-request', `"${field}" must be a frame from ${from} to ${last}, got ${frame}`, { field });
    return frame;
  };

  return {
    startPrediction: async ({ runId, from = 0, to }) => {
      checkFrame(from, 'from');
      const last = to === undefined ? session.requireStore().annotations.frameCount - 1 : checkFrame(to, 'to', from);
      const { project, run } = await runToPredict(context, runId);
      return jobs.start('prediction', `Predicting with ${run.id}`, (job) => inWorker('predict', { project, runId: run.id, from, to: last }, job));
    },

    startCrossFit: async ({ runId, folds }) => {
      const { project, run } = await runToPredict(context, runId);
      // It trains, so it waits for a training slot like a training run.
      return jobs.start(
        'cross-fit',
        `Cross-fitting ${run.id} (${folds} folds)`,
        (job) => inWorker('crossFit', { project, runId: run.id, folds, threads: job.cores ?? 1 }, job),
        await context.trainingSlots(),
      );
    },

    predictions: async ({ runId }) => readPredictions((await findRun(session.requireProject().path, runId)).path, 'project'),

    reviewQueue: async ({ runId, top }) => reviewRun(session.requireProject().path, runId, top),

    keepLabel: async ({ runId, frame, trackId, label, keep }) => {
      checkFrame(frame, 'frame');
      if (!session.labelNames().includes(label))
        throw new WorkbenchError('invalid-request', `"label" must be one of the project's labels, got "${label}"`, { field: 'label' });
      return keepLabel(session.requireProject().path, runId, { frame, trackId, label }, keep);
    },

    explainBox: async ({ runId, frame, trackId }): Promise<BoxExplanation> => {
      checkFrame(frame, 'frame');
      // Not a job (one crop takes a second or so), but it needs TensorFlow.js, which only workers load. The
      // window asks again as the selection moves: the answer to an older question is no longer wanted.
      const superseded = () => new WorkbenchError('superseded', 'A newer heat map was asked for');
      const controller = new AbortController();
      explaining?.abort(superseded());
      explaining = controller;
      try {
        const { project, run } = await runToPredict(context, runId);
        if (controller.signal.aborted) throw superseded();
        return await inWorker('explain', { project, runId: run.id, frame, trackId }, { signal: controller.signal, progress: () => {}, log: () => {} });
      } finally {
        if (explaining === controller) explaining = null;
      }
    },
  };
}

/** A run whose model can judge the project's boxes, with every edit so far on disk for the worker to read. */
async function runToPredict({ session }: CoreContext, runId: string): Promise<{ project: string; run: RunInfo }> {
  const project = session.requireProject();
  const run = await findRun(project.path, runId);
  checkLabels(session.labelNames(), datasetOf(run), run.id);
  session.requireStore();
  await session.flushEdits();
  return { project: project.path, run };
}
