// The app's side of runs on a Slurm cluster: each is a training job that submits the run, then follows it
// (figures, queue state, the end) until the cluster ends it; cancelling the job cancels it there. Runs
// left on the cluster when the app closed are followed again when the runs list finds them.

import { WorkbenchError } from '../../shared/errors';
import type { JobInfo, JobResults } from '../../shared/jobs';
import type { RunInfo } from '../../shared/runs';
import type { JobRunner } from '../jobs/job-runner';
import { followCommand, followRun, submitCommand, submitRun, type CommandRequest, type SlurmRunRequest, type SubmittedRun } from './slurm-runs';

export class ClusterRuns {
  /** Run folders a job follows now. */
  private readonly followed = new Set<string>();

  constructor(private readonly jobs: JobRunner) {}

  /** Submits the run as a job, which then follows it; a cluster that refuses it fails the job, saying why. */
  submit(request: SlurmRunRequest): JobInfo {
    const { options, profile } = request;
    return this.jobs.start('training', `Training ${options.model} on ${options.dataset} (Slurm, ${profile.name})`, async (context) => {
      context.progress(0, options.epochs, 'Submitting to the Slurm cluster');
      const submitted = await submitRun(request);
      context.log(`Submitted run ${submitted.runId} as Slurm job ${submitted.jobId}`);
      return this.track(submitted, () => followRun(submitted, context));
    });
  }

  /**
   * Sends a maskbench command over a run (a prediction, a cross-fit) as a job that follows it there, and
   * ends with `result`, read from the run's folder once the cluster's job has completed.
   */
  command<K extends 'prediction' | 'cross-fit'>(kind: K, title: string, request: CommandRequest, result: () => Promise<JobResults[K] | null>): JobInfo {
    return this.jobs.start(kind, title, async (context) => {
      context.progress(0, 1, 'Submitting to the Slurm cluster');
      const { jobId, log } = await submitCommand(request);
      context.log(`Submitted as Slurm job ${jobId}; its output: ${log}`);
      await followCommand(jobId, log, context);
      const done = await result();
      if (!done) throw new WorkbenchError('cluster-ended', `Slurm job ${jobId} completed without writing its result: see its log, ${log}`, { file: log });
      return done;
    });
  }

  /** Follows each run still on the cluster that no job follows. */
  followOpen(runs: readonly RunInfo[]): void {
    for (const run of runs) {
      if (!run.slurm || run.summary || this.followed.has(run.path)) continue;
      const submitted = { runId: run.id, jobId: run.slurm.jobId, folder: run.path };
      const { model, dataset } = run.config.options;
      this.followed.add(run.path);
      this.jobs.start('training', `Training ${model} on ${dataset} (Slurm job ${run.slurm.jobId})`, (context) =>
        this.track(submitted, () => followRun(submitted, context)),
      );
    }
  }

  private async track<T>(submitted: SubmittedRun, follow: () => Promise<T>): Promise<T> {
    this.followed.add(submitted.folder);
    try {
      return await follow();
    } finally {
      this.followed.delete(submitted.folder);
    }
  }
}
