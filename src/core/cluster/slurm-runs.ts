// Training runs on a Slurm cluster. A run is submitted as a batch script that runs `maskbench train` over
// the project on shared storage; its folder is made here first (config.json, slurm.json), so the runs list
// shows it while it waits. From then on the run folder is the only link: the job writes it as a local run
// does, and this side reads it (metrics.jsonl, the confusion matrices) to stream the same figures, asks
// the cluster how the job fares, and writes the summary of a job the cluster ended.

import { mkdir, readFile, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { version } from '../../../package.json';
import { SLURM_ENDED, SLURM_ENDINGS, type ClusterJob, type SlurmProfileInfo, type SlurmRecord } from '../../shared/cluster';
import { WorkbenchError } from '../../shared/errors';
import type { BatchMetrics, ConfusionMatrix, EpochMetrics, RunInfo, RunResult, TrainingOptions } from '../../shared/runs';
import { writeFileAtomic } from '../fs/atomic-write';
import { readJsonFile, writeJsonFile } from '../fs/json-file';
import { appClosing, type JobContext } from '../jobs/job-runner';
import { projectPaths, runPaths } from '../project/layout';
import type { ResumePoint } from '../runs/checkpoint';
import { newRunConfig, newRunId, readRun, recordEnding } from '../runs/run-folder';
import { batchScript, sbatchArgs, trainArgs } from './batch-script';
import type { ClusterWatch } from './cluster-watch';
import { clusterJobs, sbatch, scancel } from './slurm-commands';

/** How often a followed run's folder is read for new figures (the cluster is asked less often: ClusterWatch). */
const READ_MS = 2000;
/** How long a file the job wrote may take to show on this machine's view of the shared folder. */
const SHARED_LAG_MS = 2000;
/** How long a cancelled job is waited for to end on the cluster before its run is marked cancelled anyway. */
const CANCEL_WAIT_MS = 60_000;
/** Lines of the job's log quoted when it failed without saying why in its run folder. */
const LOG_LINES = 8;

export interface SlurmRunRequest {
  project: string;
  options: TrainingOptions;
  group: string | null;
  profile: SlurmProfileInfo;
  /** Its id, when it has one already (a cross-fit's fold); a new one otherwise. */
  runId?: string;
  resubmitOf?: string;
  /** The checkpoint it goes on from. */
  resumeFrom?: ResumePoint;
}

/** A maskbench command over a run, for submitCommand: `args` starts with the command's name. */
export interface CommandRequest {
  kind: OpenCommand['kind'];
  project: string;
  runId: string;
  args: string[];
  profile: SlurmProfileInfo;
  /** Runs it waits for: it starts when every one's job has completed, and is cancelled by the cluster when one has not. */
  waitsOn?: SubmittedRun[];
}

/**
 * A command over a run on the cluster that no one has yet seen end, as slurm-commands.json in the run
 * keeps it: the app follows it again when it opens the project, as it does runs.
 */
export interface OpenCommand {
  kind: 'prediction' | 'cross-fit';
  jobId: string;
  waitsOn: SubmittedRun[];
}

export interface SubmittedRun {
  runId: string;
  jobId: string;
  folder: string;
}

/** The batch script a run would be submitted with, for a dry run. */
export function slurmScriptFor(request: SlurmRunRequest): { runId: string; script: string; sbatchArgs: string[] } {
  const runId = request.runId ?? newRunId(request.options.model);
  const folder = projectPaths(request.project).run(runId);
  const { project, options, group, profile, resumeFrom } = request;
  return {
    runId,
    script: batchScript({
      what: `run ${runId} of ${project}`,
      args: trainArgs({ project, runId, options, group, resumeFrom: resumeFrom?.runId ?? null }),
      profileName: profile.name,
      profile: profile.profile,
      version,
    }),
    sbatchArgs: sbatchArgs(runId, folder, runPaths(folder).slurmLog('%j')),
  };
}

/** The batch script and sbatch options of a maskbench command over a run (`predict`, `review --folds`); its output goes in the run's folder. */
export function commandScript({ project, runId, args, profile, waitsOn = [] }: CommandRequest): { script: string; sbatchArgs: string[] } {
  const folder = projectPaths(project).run(runId);
  const after = waitsOn.map((run) => run.jobId);
  return {
    script: batchScript({ what: `${args[0]} over run ${runId} of ${project}`, args, profileName: profile.name, profile: profile.profile, version }),
    sbatchArgs: [
      ...sbatchArgs(`${args[0]}-${runId}`, folder, runPaths(folder).slurmLog('%j')),
      ...(after.length > 0 ? [`--dependency=afterok:${after.join(':')}`, '--kill-on-invalid-dep=yes'] : []),
    ],
  };
}

/** Submits a command over a run as a cluster job; what it writes lands in the run's folder as when it runs here. */
export async function submitCommand(request: CommandRequest): Promise<OpenCommand & { log: string }> {
  const { script, sbatchArgs: options } = commandScript(request);
  const jobId = await sbatch(script, options);
  const folder = projectPaths(request.project).run(request.runId);
  const files = runPaths(folder);
  const command: OpenCommand = { kind: request.kind, jobId, waitsOn: request.waitsOn ?? [] };
  await writeJsonFile(files.slurmCommands, [...(await openCommands(folder)), command]);
  return { ...command, log: files.slurmLog(jobId) };
}

/** The commands over the run in `folder` sent to the cluster and not yet seen to end. */
export async function openCommands(folder: string): Promise<OpenCommand[]> {
  return ((await readJsonFile(runPaths(folder).slurmCommands).catch(() => null)) as OpenCommand[] | null) ?? [];
}

/** Forgets a command seen to end. */
export async function forgetCommand(folder: string, jobId: string): Promise<void> {
  const open = await openCommands(folder);
  const rest = open.filter((command) => command.jobId !== jobId);
  if (rest.length === 0) await rm(runPaths(folder).slurmCommands, { force: true });
  else if (rest.length < open.length) await writeJsonFile(runPaths(folder).slurmCommands, rest);
}

/**
 * Follows a command's job (submitCommand) until the cluster ends it, its state as the job's progress.
 * `waitsOn`: the runs it waits for (a cross-fit's folds); one that the cluster ends other than completed
 * ends it too, and cancels the rest. Cancelling the job cancels them all there. Resolves when the command
 * completed, and rejects with the cluster's reason and the end of the log otherwise.
 */
export async function followCommand(
  jobId: string,
  log: string,
  context: JobContext,
  watch: ClusterWatch,
  waitsOn: readonly SubmittedRun[] = [],
): Promise<void> {
  const jobs = [jobId, ...waitsOn.map((run) => run.jobId)];
  const following = jobs.map((id) => watch.follow(id));
  const stateOf = (id: string) => watch.word(id).job?.state ?? null;
  const ended = (id: string) => SLURM_ENDED.includes(stateOf(id) ?? 'PENDING');
  const cancelRest = () => Promise.all(jobs.filter((id) => !ended(id)).map(scancel));
  try {
    for (;;) {
      if (context.signal.aborted) {
        // The app closing leaves the jobs to the cluster: it follows them again when it opens the project.
        if (appClosing(context.signal)) throw context.signal.reason;
        await cancelRest();
        throw new WorkbenchError('cluster-ended', `Slurm job ${jobId} was cancelled${waitsOn.length > 0 ? ', with the runs it waited for' : ''}`);
      }
      const failed = waitsOn.find((run) => ended(run.jobId) && stateOf(run.jobId) !== 'COMPLETED');
      if (failed) {
        await cancelRest();
        const why = await describeEnding(watch.word(failed.jobId).job!, runPaths(failed.folder).slurmLog(failed.jobId));
        throw new WorkbenchError(
          'cluster-ended',
          `Run ${failed.runId}, which Slurm job ${jobId} waited for, did not train: ${why}. Its other jobs were cancelled.`,
          {
            file: runPaths(failed.folder).slurmLog(failed.jobId),
          },
        );
      }
      const { job } = watch.word(jobId);
      if (job?.state === 'COMPLETED') return;
      if (job?.state && SLURM_ENDED.includes(job.state)) throw new WorkbenchError('cluster-ended', await describeEnding(job, log), { file: log });
      const trained = waitsOn.filter((run) => stateOf(run.jobId) === 'COMPLETED').length;
      const waiting = waitsOn.length > 0 && trained < waitsOn.length ? `${trained} of the ${waitsOn.length} runs it waits for have trained; ` : '';
      context.progress(trained, waitsOn.length + 1, `${waiting}${describeJob(jobId, job, null)}`);
      await watch.nextAnswer(context.signal);
    }
  } finally {
    for (const job of following) job.stop();
  }
}

/**
 * Makes the run's folder and submits its job. When sbatch refuses (the cluster cannot be reached, a
 * partition that does not exist), the folder is removed again and the error says why: no run is left
 * that would never start.
 */
export async function submitRun(request: SlurmRunRequest): Promise<SubmittedRun> {
  const { runId, script, sbatchArgs: args } = slurmScriptFor(request);
  const folder = projectPaths(request.project).run(runId);
  const files = runPaths(folder);
  await mkdir(folder, { recursive: true });
  try {
    const config = newRunConfig(runId, request.options, request.group);
    const { resumeFrom } = request;
    await writeJsonFile(files.config, resumeFrom ? { ...config, resumedFrom: { runId: resumeFrom.runId, epoch: resumeFrom.epoch } } : config);
    await writeFileAtomic(files.slurmScript, script);
    const jobId = await sbatch(script, args);
    const record: SlurmRecord = {
      jobId,
      profile: request.profile.name,
      resources: request.profile.profile,
      submittedAt: new Date().toISOString(),
      ...(request.resubmitOf && { resubmitOf: request.resubmitOf }),
    };
    await writeJsonFile(files.slurm, record);
    return { runId, jobId, folder };
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Follows a submitted run until its job ends, streaming its figures and the cluster's state to the job
 * as a local run's; cancelling the job cancels it on the cluster (scancel). Resolves to the run's result
 * when it trained to the end, and rejects with why it did not otherwise.
 */
export async function followRun(submitted: SubmittedRun, context: JobContext, watch: ClusterWatch): Promise<RunResult> {
  const { folder, jobId } = submitted;
  const reader = new MetricsReader(folder);
  const following = watch.follow(jobId);
  let unreachable = false;
  try {
    for (;;) {
      if (context.signal.aborted) {
        // The app closing leaves the run to the cluster: the runs list follows it again when the project opens.
        if (appClosing(context.signal)) throw context.signal.reason;
        return await cancelRun(submitted);
      }
      const { job, problem } = watch.word(jobId);
      // The job goes on on the cluster whether or not it can be asked: keep asking.
      if (problem !== null && !unreachable) context.log(`${problem}; asking again every ${watch.intervalMs / 1000} s`);
      if (problem === null && unreachable) context.log(`The cluster answers again`);
      unreachable = problem !== null;
      const epochs = await reader.report(context);
      if (job?.state && SLURM_ENDED.includes(job.state)) return await finish(await settleRun(folder, job));
      context.progress(epochs.done, epochs.total, describeJob(jobId, job, epochs));
      await sleep(READ_MS, undefined, { signal: context.signal }).catch(() => undefined);
    }
  } finally {
    following.stop();
  }

  async function finish(run: RunInfo): Promise<RunResult> {
    await reader.report(context);
    const { summary, config } = run;
    if (summary && (summary.status === 'done' || summary.status === 'stopped-early')) return { runId: run.id, path: folder, summary, config };
    if (summary?.status === 'cancelled') throw new WorkbenchError('cluster-ended', `Slurm job ${jobId} was cancelled on the cluster`);
    throw summary?.error ? WorkbenchError.fromData(summary.error) : new WorkbenchError('cluster-ended', `Slurm job ${jobId} ended without a summary`);
  }

  async function cancelRun({ folder: runFolder }: SubmittedRun): Promise<never> {
    try {
      await scancel(jobId);
    } catch (error) {
      // The run is not marked cancelled: it goes on there, and the runs list follows it again.
      context.log(`Could not cancel Slurm job ${jobId}, which goes on on the cluster: ${(error as Error).message}`);
      throw error;
    }
    const deadline = Date.now() + CANCEL_WAIT_MS;
    // Wait for the job to end there, so its process writes nothing after the run is marked cancelled.
    while (Date.now() < deadline) {
      const job = (await clusterJobs([jobId]).catch(() => null))?.get(jobId);
      if (!job?.state || SLURM_ENDED.includes(job.state)) break;
      await sleep(READ_MS / 4);
    }
    await recordEnding(runFolder, 'cancelled');
    throw new WorkbenchError('cluster-ended', `Slurm job ${jobId} was cancelled`);
  }
}

/**
 * Records how a run whose job ended on the cluster ended, if the job did not: cancelled, or failed with
 * the cluster's reason (its time limit, out of memory, a node that failed) and the end of the job's log.
 * Resolves to the run as its folder now says.
 */
export async function settleRun(folder: string, job: ClusterJob): Promise<RunInfo> {
  const id = basename(folder);
  let run = await readRun(folder, id);
  if (run.summary || !job.state) return run;
  if (job.state === 'COMPLETED') {
    // The job's own summary may not have reached this machine's view of the shared folder yet.
    await sleep(SHARED_LAG_MS);
    run = await readRun(folder, id);
    if (run.summary) return run;
  }
  if (job.state === 'CANCELLED') await recordEnding(folder, 'cancelled');
  else {
    const log = runPaths(folder).slurmLog(job.jobId);
    await recordEnding(folder, 'failed', new WorkbenchError('cluster-ended', await describeEnding(job, log), { file: log }));
  }
  return readRun(folder, id);
}

/** "Slurm job 12 was killed by the cluster at its time limit (TimeLimit) on node7. Its log: …; it ends: …". */
async function describeEnding(job: ClusterJob, log: string): Promise<string> {
  const ending = (job.state && SLURM_ENDINGS[job.state]) ?? `ended by the cluster (${job.state})`;
  const tail = await logTail(log);
  return `Slurm job ${job.jobId} was ${ending}${job.reason ? ` (${job.reason})` : ''}${job.node ? ` on ${job.node}` : ''}. Its log: ${log}${tail ? `; it ends: ${tail}` : ''}`;
}

/**
 * The runs with the cluster's word on those still waiting or running there; runs whose job ended without
 * saying so are settled (settleRun), so the project says how every run ended whether or not the app was
 * open. A cluster that cannot be asked leaves the runs as their folders say, with the reason.
 */
export async function withClusterState(runs: RunInfo[]): Promise<RunInfo[]> {
  const open = runs.filter((run) => run.slurm && !run.summary);
  if (open.length === 0) return runs;
  let jobs: Map<string, ClusterJob>;
  try {
    jobs = await clusterJobs(open.map((run) => run.slurm!.jobId));
  } catch (error) {
    const problem = (error as Error).message;
    return runs.map((run) =>
      run.slurm && !run.summary ? { ...run, cluster: { jobId: run.slurm.jobId, state: null, reason: null, node: null, problem } } : run,
    );
  }
  return Promise.all(
    runs.map(async (run) => {
      const job = run.slurm && !run.summary ? jobs.get(run.slurm.jobId) : undefined;
      if (!job) return run;
      if (job.state && SLURM_ENDED.includes(job.state)) return settleRun(run.path, job);
      const status = job.state === 'RUNNING' || job.state === 'COMPLETING' ? 'running' : job.state === null ? run.status : 'queued';
      return { ...run, status, cluster: job };
    }),
  );
}

/**
 * "Slurm job 12 waits on the cluster (Priority)", "Slurm job 12 trains on node12: epoch 3 of 30" ("runs on
 * node12" for a command). Epochs the run has written say it trains, though the cluster was last asked
 * before it started: squeue is asked every 10 s, and the curves must not stream under "waits".
 */
export function describeJob(jobId: string, job: ClusterJob | undefined, epochs: { done: number; total: number } | null): string {
  const at = `Slurm job ${jobId}`;
  if (epochs && epochs.done > 0 && (!job?.state || job.state === 'PENDING')) return `${at} trains: epoch ${epochs.done} of ${epochs.total}`;
  if (!job?.state) return `${at}: waiting for the cluster to say how it fares`;
  if (job.state === 'PENDING') return `${at} waits on the cluster${job.reason ? ` (${job.reason})` : ''}`;
  const node = job.node ?? 'the cluster';
  if (job.state === 'RUNNING') return epochs ? `${at} trains on ${node}: epoch ${epochs.done} of ${epochs.total}` : `${at} runs on ${node}`;
  return `${at}: ${job.state.toLowerCase()}`;
}

/**
 * Reads what a run's job has written since last time and streams it as a local run streams: batch and
 * epoch figures from metrics.jsonl (rewritten whole as each epoch ends), then each epoch's confusion matrix.
 */
class MetricsReader {
  private lines = 0;
  private epochs = 0;
  private total = 0;

  constructor(private readonly folder: string) {}

  async report(context: JobContext): Promise<{ done: number; total: number }> {
    const files = runPaths(this.folder);
    if (this.total === 0) {
      const config = (await readJsonFile(files.config).catch(() => null)) as { options?: { epochs?: number } } | null;
      this.total = config?.options?.epochs ?? 0;
    }
    const text = await readFile(files.metrics, 'utf8').catch(() => '');
    // Only whole lines: the file is replaced atomically, but a shared filesystem may show it as it grows.
    const lines = text
      .slice(0, text.lastIndexOf('\n') + 1)
      .split('\n')
      .filter(Boolean);
    for (const line of lines.slice(this.lines)) {
      const metrics = JSON.parse(line) as BatchMetrics | EpochMetrics;
      context.report?.(metrics);
      if (metrics.kind !== 'epoch') continue;
      this.epochs = metrics.epoch;
      const confusion = (await readJsonFile(files.confusion('val', metrics.epoch)).catch(() => null)) as ConfusionMatrix | null;
      if (confusion)
        context.report?.({ kind: 'confusion', epoch: metrics.epoch, split: 'val', confusion: { labels: confusion.labels, matrix: confusion.matrix } });
    }
    this.lines = Math.max(this.lines, lines.length);
    return { done: this.epochs, total: this.total };
  }
}

async function logTail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-LOG_LINES).join(' / ');
}
