// A cross-fit on a Slurm cluster: each fold trains as a run of its own, a job per fold, side by side on
// as many nodes as the cluster gives; one more job, which Slurm starts once every fold has completed,
// scores them (`maskbench review --score-folds`). Folds and their datasets are laid out here first
// (layOutCrossFit), on the shared project folder the jobs read.

import type { SlurmProfileInfo } from '../../shared/cluster';
import { layOutCrossFit, planCrossFit, type CrossFitInput, type CrossFitPlan, type PreparedCrossFit } from '../review/cross-fit';
import { scoreFoldsArgs } from './batch-script';
import { scancel } from './slurm-commands';
import {
  commandScript,
  slurmScriptFor,
  submitCommand,
  submitRun,
  type CommandRequest,
  type OpenCommand,
  type SlurmRunRequest,
  type SubmittedRun,
} from './slurm-runs';

export interface SubmittedCrossFit {
  plan: CrossFitPlan;
  folds: SubmittedRun[];
  /** The job that scores the folds, which waits for them. */
  scorer: OpenCommand & { log: string };
}

/** The scripts a dry run prints: each fold's run, then the job that scores them. Nothing is written. */
export async function crossFitScripts(
  input: CrossFitInput,
  profile: SlurmProfileInfo,
): Promise<Array<{ runId: string; script: string; sbatchArgs: string[] }>> {
  const { folds, scorer } = jobsOf(input.project, await planCrossFit(input), profile);
  // The scorer waits for the folds' jobs, whose ids the cluster gives as they are submitted.
  const waitsOn = folds.map((fold) => ({ runId: fold.runId!, jobId: `<job of ${fold.runId}>`, folder: '' }));
  return [...folds.map(slurmScriptFor), { runId: scorer.runId, ...commandScript({ ...scorer, waitsOn }) }];
}

/**
 * Lays the cross-fit out and submits its folds, then its scorer. When the cluster refuses one, those
 * submitted already are cancelled: a cross-fit missing a fold could never be scored.
 */
export async function submitCrossFit(input: CrossFitInput, profile: SlurmProfileInfo): Promise<SubmittedCrossFit> {
  const prepared = await planCrossFit(input);
  await layOutCrossFit(input.project, prepared);
  const jobs = jobsOf(input.project, prepared, profile);
  const folds: SubmittedRun[] = [];
  try {
    for (const fold of jobs.folds) folds.push(await submitRun(fold));
    const scorer = await submitCommand({ ...jobs.scorer, waitsOn: folds });
    return { plan: prepared.plan, folds, scorer };
  } catch (error) {
    await Promise.all(folds.map((fold) => scancel(fold.jobId).catch(() => undefined)));
    throw error;
  }
}

function jobsOf(project: string, { plan, runs }: PreparedCrossFit, profile: SlurmProfileInfo): { folds: SlurmRunRequest[]; scorer: CommandRequest } {
  return {
    folds: runs.map((run) => ({ project, runId: run.runId, options: run.options, group: run.group ?? null, profile })),
    scorer: { kind: 'cross-fit', project, runId: plan.runId, args: scoreFoldsArgs({ project, runId: plan.runId, backend: plan.backend }), profile },
  };
}
