// The app's side of work on a Slurm cluster: each run, prediction or cross-fit is a job of the app that
// submits it, then follows it (figures, queue state, the end) until the cluster ends it; cancelling the
// job cancels it there. Runs left on the cluster when the app closed are followed again when the runs
// list finds them.

import { WorkbenchError } from '../../shared/errors';
import type { SlurmProfileInfo } from '../../shared/cluster';
import type { JobInfo } from '../../shared/jobs';
import type { ProjectPredictions } from '../../shared/review';
import type { RunInfo } from '../../shared/runs';
import type { JobRunner } from '../jobs/job-runner';
import type { CrossFitInput } from '../review/cross-fit';
import { ClusterWatch } from './cluster-watch';
import { submitCrossFit } from './slurm-cross-fit';
import { followCommand, followRun, submitCommand, submitRun, type CommandRequest, type SlurmRunRequest, type SubmittedRun } from './slurm-runs';

export class ClusterRuns {
  /** Run folders a job follows now. */
  private readonly followed = new Set<string>();

  constructor(
    private readonly jobs: JobRunner,
    private readonly watch = new ClusterWatch(),
  ) {}

  /** Submits the run as a job, which then follows it; a cluster that refuses it fails the job, saying why. */
  submit(request: SlurmRunRequest): JobInfo {
    const { options, profile } = request;
    return this.jobs.start('training', `Training ${options.model} on ${options.dataset} (Slurm, ${profile.name})`, async (context) => {
      context.progress(0, options.epochs, 'Submitting to the Slurm cluster');
      const submitted = await submitRun(request);
      context.log(`Submitted run ${submitted.runId} as Slurm job ${submitted.jobId}`);
      return this.track(submitted, () => followRun(submitted, context, this.watch));
    });
  }

  /**
   * Sends a prediction (`maskbench predict` over a run) as a job that follows it there, and ends with
   * `result`, read from the run's folder once the cluster's job has completed.
   */
  predict(title: string, request: CommandRequest, result: () => Promise<ProjectPredictions | null>): JobInfo {
    return this.jobs.start('prediction', title, async (context) => {
      context.progress(0, 1, 'Submitting to the Slurm cluster');
      const { jobId, log } = await submitCommand(request);
      context.log(`Submitted as Slurm job ${jobId}; its output: ${log}`);
      await followCommand(jobId, log, context, this.watch);
      return resultOf(jobId, log, result);
    });
  }

  /**
   * A cross-fit on the cluster (slurm-cross-fit.ts): each fold followed as a run of its own, with its
   * curves; the job follows the scoring until it has written `result`.
   */
  crossFit(title: string, input: CrossFitInput, profile: SlurmProfileInfo, result: () => Promise<ProjectPredictions | null>): JobInfo {
    return this.jobs.start('cross-fit', title, async (context) => {
      context.progress(0, 1, 'Submitting to the Slurm cluster');
      const { folds, scorer } = await submitCrossFit(input, profile);
      const ids = folds.map((fold) => fold.jobId).join(', ');
      context.log(`Submitted the ${folds.length} folds as Slurm jobs ${ids}, and their scoring as job ${scorer.jobId}; its output: ${scorer.log}`);
      for (const [index, fold] of folds.entries()) this.follow(fold, `Training fold ${index + 1} of ${folds.length} (Slurm job ${fold.jobId})`);
      await followCommand(scorer.jobId, scorer.log, context, this.watch, folds);
      return resultOf(scorer.jobId, scorer.log, result);
    });
  }

  /** Follows each run still on the cluster that no job follows. */
  followOpen(runs: readonly RunInfo[]): void {
    for (const run of runs) {
      if (!run.slurm || run.summary || this.followed.has(run.path)) continue;
      const { model, dataset } = run.config.options;
      this.follow({ runId: run.id, jobId: run.slurm.jobId, folder: run.path }, `Training ${model} on ${dataset} (Slurm job ${run.slurm.jobId})`);
    }
  }

  private follow(submitted: SubmittedRun, title: string): void {
    // Marked followed now, not when the job starts: the next list must not start a second one.
    this.followed.add(submitted.folder);
    this.jobs.start('training', title, (context) => this.track(submitted, () => followRun(submitted, context, this.watch)));
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

/** What a command that completed wrote, or why there is nothing. */
async function resultOf<T>(jobId: string, log: string, result: () => Promise<T | null>): Promise<T> {
  const done = await result();
  if (!done) throw new WorkbenchError('cluster-ended', `Slurm job ${jobId} completed without writing its result: see its log, ${log}`, { file: log });
  return done;
}
