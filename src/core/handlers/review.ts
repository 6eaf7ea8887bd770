// A model in the loop: predictions and cross-fits as jobs, the review queue, kept labels and heat maps.

import type { BoxExplanation } from '../../shared/review';
import { runTitle, type RunInfo } from '../../shared/runs';
import { WorkbenchError } from '../../shared/errors';
import { routeFor } from '../compute/gpu-route';
import { crossFit } from '../review/cross-fit';
import { entryCrops } from '../review/entry-crops';
import { explainBox } from '../review/explain-box';
import { predictProject, type ProjectSource } from '../review/predict-project';
import { checkLabels, datasetOf } from '../review/prediction-files';
import { keepLabels, readPredictions, reviewRun } from '../review/review-run';
import { findRun } from '../runs/manage-runs';
import { predictArgs } from '../cluster/batch-script';
import { slurmProfile } from '../cluster/slurm-profiles';
import { PROJECT_FILE } from '../project/layout';
import type { JobContext } from '../jobs/job-runner';
import type { RunInput } from '../training/run-recorder';
import type { CoreContext, Handlers } from './context';

export function reviewHandlers(
  context: CoreContext,
): Handlers<'startPrediction' | 'startCrossFit' | 'predictions' | 'reviewQueue' | 'keepLabels' | 'explainBox' | 'entryCrops'> {
  const { session, jobs, inWorker, compute, gpuSlots } = context;
  /** The heat map being made, stopped when another is asked for; the same for an entry's strip. */
  let explaining: AbortController | null = null;
  let cropping: AbortController | null = null;

  /** A frame of the open project's clip, or an error naming the field. */
  const checkFrame = (frame: number, field: string, from = 0): number => {
    const last = session.requireStore().annotations.frameCount - 1;
    if (frame < from || frame > last)
      throw new WorkbenchError('invalid-request', `"${field}" must be a frame from ${from} to ${last}, got ${frame}`, { field });
    return frame;
  };

  return {
    startPrediction: async ({ runId, from = 0, to, backend, target }) => {
      checkFrame(from, 'from');
      const last = to === undefined ? session.requireStore().annotations.frameCount - 1 : checkFrame(to, 'to', from);
      const { project, run } = await runToPredict(context, runId);
      if (target.on === 'slurm') {
        const profile = await slurmProfile(project, context.dataDir, target.profile);
        const args = predictArgs({ project, runId: run.id, from, to: last, backend });
        return context.clusterRuns.predict(`Predicting with ${runTitle(run)} (Slurm, ${profile.name})`, {
          kind: 'prediction',
          project,
          runId: run.id,
          args,
          profile,
        });
      }
      const { host } = await routeFor(compute, backend);
      const input = { project, runId: run.id, from, to: last, backend };
      // On the compute page, core cuts the crops (ffmpeg and sharp work off this thread) and the page judges them.
      if (host)
        return jobs.start(
          'prediction',
          `Predicting with ${runTitle(run)} (${host})`,
          (job) => predictProject(input, job, compute.classifierOn(host, backend)),
          { slots: gpuSlots },
        );
      return jobs.start('prediction', `Predicting with ${runTitle(run)}`, (job) => inWorker('predict', input, job));
    },

    startCrossFit: async ({ runId, folds, by, backend, target }) => {
      const { project, run } = await runToPredict(context, runId);
      const chosen = backend ?? run.config.options.backend;
      if (target.on === 'slurm') {
        const profile = await slurmProfile(project, context.dataDir, target.profile);
        const title = `Cross-fitting ${runTitle(run)} (${folds} folds by ${by}, Slurm, ${profile.name})`;
        return context.clusterRuns.crossFit(title, { project, runId: run.id, folds, by, backend: chosen }, profile);
      }
      const { host, passedOver } = await routeFor(compute, chosen);
      const input = { project, runId: run.id, folds, by, backend: chosen, passedOver };
      const title = `Cross-fitting ${runTitle(run)} (${folds} folds by ${by}${host ? `, ${host}` : ''})`;
      if (host) {
        const route = {
          // routeFor found the page that runs it.
          check: () => {},
          train: (fold: RunInput, job: JobContext) => compute.train(host, fold, job),
          open: compute.classifierOn(host, chosen),
        };
        return jobs.start('cross-fit', title, (job) => crossFit(input, job, route), { slots: gpuSlots });
      }
      // It trains, so it waits for a training slot like a training run.
      return jobs.start('cross-fit', title, (job) => inWorker('crossFit', { ...input, threads: job.cores ?? 1 }, job), {
        slots: await context.trainingSlots(),
      });
    },

    predictions: async ({ runId }) => readPredictions((await findRun(session.requireProject().path, runId)).path, 'project'),

    reviewQueue: async ({ runId, top }) => reviewRun(session.requireProject().path, runId, top),

    keepLabels: async ({ runId, labels, keep }) => {
      const names = session.labelNames();
      labels.forEach(({ frame, label }, i) => {
        checkFrame(frame, `labels[${i}].frame`);
        if (!names.includes(label))
          throw new WorkbenchError('invalid-request', `"labels[${i}].label" must be one of the project's labels, got "${label}"`, {
            field: `labels[${i}].label`,
          });
      });
      return keepLabels(session.requireProject().path, runId, labels, keep);
    },

    explainBox: async ({ runId, frame, trackId, backend }): Promise<BoxExplanation> => {
      checkFrame(frame, 'frame');
      // Not a job (one crop takes a second or so). The window asks again as the selection moves: the
      // answer to an older question is no longer wanted.
      const superseded = () => new WorkbenchError('superseded', 'A newer heat map was asked for');
      const controller = new AbortController();
      explaining?.abort(superseded());
      explaining = controller;
      try {
        const { project, run } = await runToPredict(context, runId);
        const { host } = await routeFor(compute, backend);
        controller.signal.throwIfAborted();
        const input = { project, runId: run.id, frame, trackId, backend };
        if (host) return await explainBox(input, compute.classifierOn(host, backend), controller.signal, openSource(context));
        return await inWorker('explain', input, { signal: controller.signal, progress: () => {}, log: () => {} });
      } finally {
        if (explaining === controller) explaining = null;
      }
    },

    entryCrops: async ({ runId, trackId, frames }) => {
      frames.forEach((frame, i) => checkFrame(frame, `frames[${i}]`));
      const controller = new AbortController();
      cropping?.abort(new WorkbenchError('superseded', 'A newer strip of crops was asked for'));
      cropping = controller;
      try {
        // No model: core cuts the crops itself (ffmpeg and sharp work off this thread).
        const { run } = await runToPredict(context, runId);
        return await entryCrops(openSource(context), run, trackId, frames, controller.signal);
      } finally {
        if (cropping === controller) cropping = null;
      }
    },
  };
}

/** The open project as predictions see it, its annotations as held in memory: nothing is read again from disk. */
function openSource({ session }: CoreContext): ProjectSource {
  const project = session.requireProject();
  const media = project.settings?.media;
  if (!media) throw new WorkbenchError('invalid-request', `${project.path} has no media in its ${PROJECT_FILE}`, { file: project.path });
  return { project: project.path, media, labels: session.labelNames(), annotations: session.requireStore().annotations };
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
