// Training: the models on offer, single runs and sweeps, each run a job that waits for a training slot.

import { availableParallelism } from 'node:os';
import type { JobInfo, SweepResult } from '../../shared/jobs';
import type { TrainingOptions } from '../../shared/runs';
import { toErrorData } from '../../shared/errors';
import { MODEL_NAMES, MODELS } from '../../shared/training';
import { checkAgainstClip } from '../dataset/dataset-options';
import { projectPaths } from '../project/layout';
import { newRunId, recordCrash } from '../runs/run-folder';
import { detectBackends } from '../training/backend-list';
import { modelCost } from '../training/models/catalog';
import { expandSweep } from '../training/sweep';
import { preflight } from '../training/training-options';
import { wasmThreads } from '../training/wasm/thread-count';
import type { CoreContext, Handlers } from './context';

export function trainingHandlers(context: CoreContext): Handlers<'describeModels' | 'startTraining' | 'startSweep'> {
  const { session, jobs, inWorker } = context;
  return {
    describeModels: async ({ size, classes }) =>
      MODEL_NAMES.map((name) => {
        const { label, description, minSize } = MODELS[name];
        const cost = size >= minSize ? modelCost(name, { size, classes }) : null;
        return { name, label, description, minSize, fits: cost !== null, params: cost?.params ?? null, flops: cost?.flops ?? null };
      }),

    startTraining: async ({ options }) => {
      const project = session.requireProject();
      await preflight(project.path, options);
      return await queueTraining(context, project.path, options, null);
    },

    startSweep: async ({ sweep }) => {
      const project = session.requireProject();
      const runs = expandSweep(sweep);
      const datasets = [...new Map(runs.map((run) => [run.datasetName, run.datasetOptions])).entries()];
      for (const [, options] of datasets) checkAgainstClip(options, session.requireStore().annotations.frameCount, 'sweep.dataset');
      await session.flushEdits();
      return jobs.start('sweep', `Sweep ${sweep.name} (${runs.length} runs)`, async (job): Promise<SweepResult> => {
        for (const [index, [name, options]] of datasets.entries()) {
          job.progress(index, datasets.length, `Building the dataset ${name}`);
          // Rebuilding copies the crops that did not change, so a sweep run again costs little here.
          await inWorker('dataset', { project: project.path, name, options, force: true }, job);
        }
        const result: SweepResult = { group: sweep.name, queued: [], refused: [] };
        for (const run of runs) {
          try {
            await preflight(project.path, run.options);
            result.queued.push(await queueTraining(context, project.path, run.options, sweep.name));
          } catch (error) {
            const { model, learningRate, batchSize } = run.options;
            result.refused.push({ dataset: run.datasetName, options: `${model}, lr ${learningRate}, batch ${batchSize}`, reason: toErrorData(error).message });
          }
        }
        job.progress(datasets.length, datasets.length, `Queued ${result.queued.length} runs`);
        return result;
      });
    },
  };
}

async function queueTraining(
  { jobs, inWorker, trainingSlots }: CoreContext,
  projectDir: string,
  options: TrainingOptions,
  group: string | null,
): Promise<JobInfo> {
  const slots = await trainingSlots();
  return jobs.start(
    'training',
    `Training ${options.model} on ${options.dataset}`,
    async (context) => {
      // The id is made when the job leaves the queue, so run ids sort in the order runs started.
      const runId = newRunId(options.model);
      try {
        return await inWorker('train', { project: projectDir, runId, options, ...(group ? { group } : {}) }, context);
      } catch (error) {
        // A worker that crashed or ran out of memory wrote no summary: say what happened in its stead.
        await recordCrash(projectPaths(projectDir).run(runId), error);
        throw error;
      }
    },
    slots,
  );
}

/**
 * tfjs-node uses every core for one job, and a GPU is best given to one. A wasm job uses wasmThreads()
 * cores (every one, unless MASKBENCH_WASM_THREADS says fewer): as many jobs as that leaves room for, so
 * that two never fight over a core.
 */
export function defaultTrainingJobs(): number {
  const native = detectBackends().some((backend) => backend.available && (backend.name === 'tensorflow' || backend.name === 'tensorflow-gpu'));
  return native ? 1 : Math.max(1, Math.floor(availableParallelism() / wasmThreads().count));
}
