// The app's side of work on a Slurm cluster: each run, prediction or cross-fit is a job of the app that
// submits it, then follows it (figures, queue state, the end) until the cluster ends it; cancelling the
// job cancels it there. Runs left on the cluster when the app closed are followed again when the runs
// list finds them.

import { WorkbenchError } from '../../shared/errors';
import type { SlurmProfileInfo } from '../../shared/cluster';
import type { JobInfo } from '../../shared/jobs';
import type { ProjectPredictions } from '../../shared/review';
import { runTitle, type RunInfo } from '../../shared/runs';
import { appClosing, type JobContext, type JobRunner } from '../jobs/job-runner';
import { projectPaths, runPaths } from '../project/layout';
import type { CrossFitInput } from '../review/cross-fit';
import { readPredictions } from '../review/review-run';
import { ClusterWatch } from './cluster-watch';
import { submitCrossFit } from './slurm-cross-fit';
import {
  followCommand,
  followRun,
  forgetCommand,
  openCommands,
  submitCommand,
  submitRun,
  type CommandRequest,
  type OpenCommand,
  type SlurmRunRequest,
  type SubmittedRun,
} from './slurm-runs';

export class ClusterRuns {
  /** Run folders a job follows now. */
  private readonly followed = new Set<string>();
  /** The Slurm jobs of predictions and cross-fits a job follows now. */
  private readonly followedCommands = new Set<string>();

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

  /** Sends a prediction (`maskbench predict` over a run) as a job that follows it there, and ends with what it wrote in the run's folder. */
  predict(title: string, request: CommandRequest): JobInfo {
    const folder = projectPaths(request.project).run(request.runId);
    return this.jobs.start('prediction', title, async (context) => {
      context.progress(0, 1, 'Submitting to the Slurm cluster');
      const command = await submitCommand(request);
      context.log(`Submitted as Slurm job ${command.jobId}; its output: ${command.log}`);
      return this.followCommand(folder, command, context);
    });
  }

  /**
   * A cross-fit on the cluster (slurm-cross-fit.ts): each fold followed as a run of its own, with its
   * curves; the job follows the scoring, and ends with what it wrote in the run's folder.
   */
  crossFit(title: string, input: CrossFitInput, profile: SlurmProfileInfo): JobInfo {
    const folder = projectPaths(input.project).run(input.runId);
    return this.jobs.start('cross-fit', title, async (context) => {
      context.progress(0, 1, 'Submitting to the Slurm cluster');
      const { folds, scorer } = await submitCrossFit(input, profile);
      const ids = folds.map((fold) => fold.jobId).join(', ');
      context.log(`Submitted the ${folds.length} folds as Slurm jobs ${ids}, and their scoring as job ${scorer.jobId}; its output: ${scorer.log}`);
      for (const [index, fold] of folds.entries()) this.follow(fold, `Training fold ${index + 1} of ${folds.length} (Slurm job ${fold.jobId})`);
      return this.followCommand(folder, scorer, context);
    });
  }

  /**
   * Follows each run, prediction and cross-fit still on the cluster that no job follows: those left there
   * when the app closed, or sent from the command line.
   */
  async followOpen(runs: readonly RunInfo[]): Promise<void> {
    for (const run of runs) {
      if (!run.slurm || run.summary || this.followed.has(run.path)) continue;
      const { model, dataset } = run.config.options;
      this.follow({ runId: run.id, jobId: run.slurm.jobId, folder: run.path }, `Training ${model} on ${dataset} (Slurm job ${run.slurm.jobId})`);
    }
    for (const run of runs) {
      for (const command of await openCommands(run.path)) {
        if (this.followedCommands.has(command.jobId)) continue;
        // Marked followed before any await: a list asked for meanwhile must not start a second job.
        this.followedCommands.add(command.jobId);
        const what = command.kind === 'prediction' ? 'Predicting with' : 'Cross-fitting';
        this.jobs.start(command.kind, `${what} ${runTitle(run)} (Slurm job ${command.jobId})`, (context) => this.followCommand(run.path, command, context));
      }
    }
  }

  /**
   * Follows a command over the run in `folder` until the cluster ends it, and resolves to the predictions
   * it wrote. It is forgotten (slurm-commands.json) once seen to end, or cancelled; not when the app closes.
   */
  private async followCommand(folder: string, command: OpenCommand, context: JobContext): Promise<ProjectPredictions> {
    const log = runPaths(folder).slurmLog(command.jobId);
    this.followedCommands.add(command.jobId);
    try {
      await followCommand(command.jobId, log, context, this.watch, command.waitsOn).catch(async (error: unknown) => {
        if (!appClosing(context.signal)) await forgetCommand(folder, command.jobId);
        throw error;
      });
      await forgetCommand(folder, command.jobId);
    } finally {
      // Only once it is forgotten: a runs list asked for meanwhile must not follow it again.
      this.followedCommands.delete(command.jobId);
    }
    const done = await readPredictions(folder, command.kind === 'prediction' ? 'project' : 'cross-fit');
    if (!done) throw new WorkbenchError('cluster-ended', `Slurm job ${command.jobId} completed without writing its result: see its log, ${log}`, { file: log });
    return done;
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
