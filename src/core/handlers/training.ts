// Training: the models on offer, single runs and sweeps, each run a job that waits for a training slot.

import { availableParallelism } from 'node:os';
import type { JobInfo, SweepResult } from '../../shared/jobs';
import { inAutoOrder, type BackendChoice, type TrainingOptions } from '../../shared/runs';
import { MODEL_NAMES, MODELS } from '../../shared/training';
import { checkAgainstClip } from '../dataset/dataset-options';
import { projectPaths } from '../project/layout';
import { newRunId, recordCrash } from '../runs/run-folder';
import { detectBackends } from '../training/backend-list';
import { routeFor, type AutoRoute } from '../compute/gpu-route';
import { modelCost } from '../training/models/catalog';
import { checkSweepRuns, expandSweep, sweepDatasets } from '../training/sweep';
import { slurmProfile } from '../cluster/slurm-profiles';
import { preflight } from '../training/training-options';
import { wasmThreads } from '../training/wasm/thread-count';
import type { JobSlots, SlotPolicy } from '../jobs/job-slots';
import type { CoreContext, Handlers } from './context';

export function trainingHandlers(context: CoreContext): Handlers<'describeModels' | 'autoBackend' | 'startTraining' | 'startSweep'> {
  const { session, jobs, inWorker, compute } = context;
  return {
    describeModels: async ({ size, classes }) =>
      MODEL_NAMES.map((name) => {
        const { label, description, minSize } = MODELS[name];
        const cost = size >= minSize ? modelCost(name, { size, classes }) : null;
        return { name, label, description, minSize, fits: cost !== null, params: cost?.params ?? null, flops: cost?.flops ?? null };
      }),

    autoBackend: async () => {
      const { host, passedOver } = await routeFor(compute, 'auto');
      if (host) {
        const found = (await compute.gpuReport())?.[host];
        return { name: host, package: `@tensorflow/tfjs-backend-${host}`, usesGpu: true, device: found && 'device' in found ? found.device : null, passedOver };
      }
      // The worker takes the first of its backends that is installed.
      const backends = detectBackends();
      const chosen = backends.findIndex((backend) => backend.available);
      if (chosen < 0) return null;
      const { name, package: pkg, usesGpu } = backends[chosen]!;
      const notInstalled = backends.slice(0, chosen).map((backend) => `${backend.name}: ${backend.package} is not installed`);
      // In auto's order, the worker's and the compute page's routes interleaved.
      return { name, package: pkg, usesGpu, device: null, passedOver: inAutoOrder([...notInstalled, ...passedOver]) };
    },

    startTraining: async ({ options, target }) => {
      const project = session.requireProject();
      await preflight(project.path, options);
      if (target.on === 'slurm') {
        const profile = await slurmProfile(project.path, context.dataDir, target.profile);
        return context.clusterRuns.submit({ project: project.path, options, group: null, profile });
      }
      const route = await routeFor(context.compute, options.backend);
      return queueTraining(context, await context.trainingSlots(), route, project.path, options, null);
    },

    startSweep: async ({ sweep, target }) => {
      const project = session.requireProject();
      // Read before any dataset is built, so a profile that is not there is said at once.
      const profile = target.on === 'slurm' ? await slurmProfile(project.path, context.dataDir, target.profile) : null;
      const runs = expandSweep(sweep);
      const datasets = sweepDatasets(runs);
      for (const [, options] of datasets) checkAgainstClip(options, session.requireStore().annotations, 'sweep.dataset');
      await session.flushEdits();
      return jobs.start('sweep', `Sweep ${sweep.name} (${runs.length} runs)`, async (job): Promise<SweepResult> => {
        for (const [index, [name, options]] of datasets.entries()) {
          job.progress(index, datasets.length, `Building the dataset ${name}`);
          // Rebuilding copies the crops that did not change, so a sweep run again costs little here.
          await inWorker('dataset', { project: project.path, name, options, force: true }, job);
        }
        const routes = new Map<BackendChoice, Promise<AutoRoute>>();
        const routeOf = (backend: BackendChoice) => routes.get(backend) ?? routes.set(backend, routeFor(context.compute, backend)).get(backend)!;
        // A cluster's nodes choose their own backend.
        const { ready, refused } = await checkSweepRuns(project.path, runs, async (options) => (profile ? null : routeOf(options.backend)));
        // Queued in one go, so the runs share the cores between them rather than the first taking them all.
        const slots = await context.trainingSlots();
        const queued = ready.map(({ options, prepared: route }) =>
          route
            ? queueTraining(context, slots, route, project.path, options, sweep.name)
            : context.clusterRuns.submit({ project: project.path, options, group: sweep.name, profile: profile! }),
        );
        const result: SweepResult = { group: sweep.name, queued, refused };
        job.progress(datasets.length, datasets.length, `Queued ${result.queued.length} runs`);
        return result;
      });
    },
  };
}

function queueTraining(context: CoreContext, slots: JobSlots, route: AutoRoute, projectDir: string, options: TrainingOptions, group: string | null): JobInfo {
  const { jobs, inWorker, compute, gpuSlots } = context;
  const { host, passedOver } = route;
  if (host) {
    return jobs.start(
      'training',
      `Training ${options.model} on ${options.dataset} (${host})`,
      (job) => compute.train(host, { project: projectDir, runId: newRunId(options.model), options, passedOver, ...(group ? { group } : {}) }, job),
      { slots: gpuSlots },
    );
  }
  return jobs.start(
    'training',
    `Training ${options.model} on ${options.dataset}`,
    async (context) => {
      // The id is made when the job leaves the queue, so run ids sort in the order runs started.
      const runId = newRunId(options.model);
      try {
        return await inWorker('train', { project: projectDir, runId, options, passedOver, threads: context.cores ?? 1, ...(group ? { group } : {}) }, context);
      } catch (error) {
        // A worker that crashed or ran out of memory wrote no summary: say what happened in its stead.
        await recordCrash(projectPaths(projectDir).run(runId), error);
        throw error;
      }
    },
    { slots },
  );
}

/**
 * tfjs-node uses every core for one job, and a GPU is best given to one: one job at a time. A wasm run
 * computes on the cores it is given (up to wasmThreads(): every core unless MASKBENCH_WASM_THREADS says
 * fewer): a run alone takes them all, runs queued together (a sweep) share them. The user's trainingJobs
 * setting instead runs that many at once, each on an equal share.
 */
export function trainingSlotPolicy(trainingJobs: number | undefined): SlotPolicy {
  const cores = availableParallelism();
  const native = detectBackends().some((backend) => backend.available && (backend.name === 'tensorflow' || backend.name === 'tensorflow-gpu'));
  if (native) return { cores, jobs: trainingJobs ?? 1, maxPerJob: cores };
  return { cores, jobs: trainingJobs ?? null, maxPerJob: wasmThreads().count };
}
