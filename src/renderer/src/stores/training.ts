import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import {
  runTitle,
  type RunDetails,
  type RunInfo,
  type TrainingOptions,
  type TrainingReport,
  type BatchMetrics,
  type ConfusionMatrix,
  type EpochMetrics,
} from '../../../shared/runs';
import type { ClusterInfo, RunTarget } from '../../../shared/cluster';
import { useApi } from '../api/client';
import { useAppStore } from './app';
import { useJobsStore } from './jobs';
import { useProjectStore } from './project';

/** The latest figures of a training job, as they stream: only the newest of each kind is kept. */
export interface LiveRun {
  batch: BatchMetrics | null;
  epoch: EpochMetrics | null;
  confusion: ConfusionMatrix | null;
  /** Every epoch so far, and the batch loss smoothed (an exponential moving average) at fractional epochs, for live curves. */
  epochs: EpochMetrics[];
  batchLoss: Array<{ x: number; y: number }>;
}

/** How much of the last smoothed value a new batch loss keeps (as the Runs view smooths it). */
const SMOOTHING = 0.9;

/** Training runs on disk and the live figures of running jobs (already coalesced per frame by the jobs store). */
export const useTrainingStore = defineStore('training', () => {
  const runs = ref<RunInfo[]>([]);
  const live = ref<Record<string, LiveRun>>({});
  /** The sweep whose runs the Runs view shows together; null shows every run. */
  const group = ref<string | null>(null);
  /** What each run recorded, fetched when a view shows it. */
  const details = ref<Record<string, RunDetails>>({});
  /** The training job that ended last: the Train view keeps its final figures, with its run once it finished. */
  const lastEnded = ref<{ jobId: string; title: string; state: 'done' | 'failed' | 'cancelled'; runId: string | null } | null>(null);
  /** A run asked for from another view (the Train view's table): the Runs view shows it, then clears this. */
  const opened = ref<string | null>(null);
  /** Runs with a model to judge boxes with: finished, or stopped early with their best checkpoint. Cross-fitting folds are left out. */
  const withModel = computed(() =>
    runs.value.filter((run) => (run.status === 'done' || run.status === 'stopped-early') && run.config.dataset && !/-fold\d+of\d+$/.test(run.id)),
  );

  /** A run as the Runs view names it (its name, or its model, start time and id's end), with its test accuracy. */
  function runLabel(id: string): string {
    const run = runs.value.find((candidate) => candidate.id === id);
    if (!run) return id;
    const accuracy = run.summary?.test?.accuracy;
    return `${runTitle(run)}${accuracy === undefined ? '' : ` · test ${(accuracy * 100).toFixed(1)}%`}`;
  }

  async function refresh(): Promise<void> {
    runs.value = await useApi().listRuns();
  }

  function receive(jobId: string, report: TrainingReport): void {
    // The first figures mean the run's folder exists: the table can list it as running.
    if (!live.value[jobId]) void refresh().catch((error: unknown) => useAppStore().report(error));
    const run = (live.value[jobId] ??= { batch: null, epoch: null, confusion: null, epochs: [], batchLoss: [] });
    if (report.kind === 'batch') {
      run.batch = report;
      const last = run.batchLoss.at(-1)?.y;
      run.batchLoss.push({
        x: report.epoch - 1 + report.batch / report.batches,
        y: last === undefined ? report.loss : SMOOTHING * last + (1 - SMOOTHING) * report.loss,
      });
    } else if (report.kind === 'epoch') {
      run.epoch = report;
      run.epochs.push(report);
    } else if (report.split === 'val') run.confusion = report.confusion;
  }

  const jobs = useJobsStore();
  // A run's folder changes as its job starts and ends (cross-fitting makes a run per fold): the runs table reads it again then.
  jobs.onJobRunning(['training', 'cross-fit'], refresh);
  jobs.onJobEnd(['training', 'cross-fit'], refresh);
  jobs.onJobMetrics(['training'], receive);
  jobs.onJobEnd(['training'], (ending) => {
    lastEnded.value = { jobId: ending.job.id, title: ending.job.title, state: ending.state, runId: ending.state === 'done' ? ending.result.runId : null };
    // Only running jobs' figures and the last one's are kept: a batch loss per batch adds up over a day of runs.
    for (const jobId of Object.keys(live.value)) if (jobId !== ending.job.id && !jobs.active.some((job) => job.id === jobId)) delete live.value[jobId];
  });

  /** Where runs started from the window go: this machine, or the Slurm cluster with a profile. */
  const target = ref<RunTarget>({ on: 'local' });
  /** The cluster's profiles and whether it can be reached from here: read as a project opens (its slurm.json is its own), and again as the Train view is shown. */
  const cluster = ref<ClusterInfo | null>(null);

  async function loadCluster(): Promise<void> {
    cluster.value = await useApi().clusterInfo();
    const profile = target.value.on === 'slurm' ? target.value.profile : null;
    // A profile the project no longer has sends nothing anywhere: back to this machine.
    if (profile !== null && !cluster.value.profiles.some((candidate) => candidate.name === profile)) target.value = { on: 'local' };
  }

  watch(
    () => useProjectStore().current?.path,
    (path) => {
      cluster.value = null;
      if (path) loadCluster().catch((error: unknown) => useAppStore().report(error));
    },
    { immediate: true },
  );

  async function start(options: Partial<TrainingOptions> & { dataset: string }): Promise<void> {
    await useApi().startTraining({ options, target: target.value });
  }

  /** Sends a run the cluster ended to it again, as a new run. */
  async function resubmit(runId: string): Promise<void> {
    await useApi().resubmitRun({ runId });
    await refresh();
  }

  async function loadDetails(runId: string): Promise<RunDetails> {
    const loaded = await useApi().runDetails({ runId });
    details.value[runId] = loaded;
    return loaded;
  }

  async function update(runId: string, change: { name?: string | null; tags?: string[] }): Promise<void> {
    const updated = await useApi().updateRun({ runId, ...change });
    runs.value = runs.value.map((run) => (run.id === runId ? updated : run));
    if (details.value[runId]) details.value[runId].run = updated;
  }

  async function remove(runId: string): Promise<string> {
    const { trashedTo } = await useApi().deleteRun({ runId });
    runs.value = runs.value.filter((run) => run.id !== runId);
    delete details.value[runId];
    return trashedTo;
  }

  return {
    runs,
    withModel,
    runLabel,
    live,
    lastEnded,
    opened,
    details,
    group,
    target,
    cluster,
    loadCluster,
    refresh,
    receive,
    start,
    resubmit,
    loadDetails,
    update,
    remove,
  };
});
