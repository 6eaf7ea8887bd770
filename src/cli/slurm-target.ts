// --on slurm for the commands that train: the flags, and submitting a run to the cluster (or, with
// --dry-run, printing what would be submitted).

import { defaultDataDir } from '../core/app-dirs';
import { crossFitScripts, submitCrossFit } from '../core/cluster/slurm-cross-fit';
import { slurmProfile } from '../core/cluster/slurm-profiles';
import type { CrossFitInput } from '../core/review/cross-fit';
import { commandScript, slurmScriptFor, submitCommand, submitRun, type SlurmRunRequest } from '../core/cluster/slurm-runs';
import { runTargetSchema, type RunTarget } from '../shared/cluster';
import { WorkbenchError } from '../shared/errors';
import { read } from '../shared/schema';
import type { CliCommand, CliOutput } from './command';
import { given } from './flags';

export const TARGET_USAGE = [
  '--on T               local (default: here) or slurm (submit to the Slurm cluster and return)',
  '--profile NAME       with --on slurm: the Slurm profile (default "default"; see the README)',
  '--dry-run            with --on slurm: print the batch script and submit nothing',
];

export const TARGET_OPTIONS: CliCommand['options'] = { on: { type: 'string' }, profile: { type: 'string' }, 'dry-run': { type: 'boolean' } };

export function runTarget(args: Record<string, string | boolean | undefined>): RunTarget & { dryRun: boolean } {
  const on = args.on ?? 'local';
  if (on !== 'slurm' && (args.profile !== undefined || args['dry-run'] !== undefined))
    throw new WorkbenchError('invalid-request', '--profile and --dry-run go with --on slurm');
  return { ...read(runTargetSchema, given({ on, profile: args.profile })), dryRun: args['dry-run'] === true };
}

/** Submits one run (or prints its script with --dry-run); returns what was submitted, for --json. */
export async function submitToSlurm(
  run: Omit<SlurmRunRequest, 'profile'>,
  target: { profile: string; dryRun: boolean },
  output: CliOutput,
  json: boolean,
): Promise<Record<string, unknown>> {
  const profile = await slurmProfile(run.project, defaultDataDir(), target.profile);
  const request = { ...run, profile };
  if (target.dryRun) {
    const { runId, script, sbatchArgs } = slurmScriptFor(request);
    if (!json) printDryRun(output, sbatchArgs, script);
    return { runId, dryRun: true, sbatch: sbatchArgs, script };
  }
  const submitted = await submitRun(request);
  if (!json) output.out(`Submitted run ${submitted.runId} as Slurm job ${submitted.jobId} (profile ${profile.name}): ${submitted.folder}`);
  return { runId: submitted.runId, jobId: submitted.jobId, path: submitted.folder };
}

/** Sends a prediction over a run (`maskbench predict`) to the cluster and returns; prints what it would send with --dry-run. */
export async function predictionToSlurm(
  project: string,
  runId: string,
  args: string[],
  target: { profile: string; dryRun: boolean },
  output: CliOutput,
  json: boolean,
): Promise<number> {
  const profile = await slurmProfile(project, defaultDataDir(), target.profile);
  const request = { kind: 'prediction' as const, project, runId, args, profile };
  if (target.dryRun) {
    const { script, sbatchArgs } = commandScript(request);
    if (json) output.out(JSON.stringify({ dryRun: true, sbatch: sbatchArgs, script }));
    else printDryRun(output, sbatchArgs, script);
    return 0;
  }
  const { jobId, log } = await submitCommand(request);
  if (json) output.out(JSON.stringify({ jobId, log }));
  else output.out(`Submitted ${args[0]} over run ${runId} as Slurm job ${jobId} (profile ${profile.name}); its output: ${log}`);
  return 0;
}

/** Submits a cross-fit's folds and its scoring to the cluster (slurm-cross-fit.ts) and returns; prints what it would submit with --dry-run. */
export async function crossFitToSlurm(input: CrossFitInput, target: { profile: string; dryRun: boolean }, output: CliOutput, json: boolean): Promise<number> {
  const profile = await slurmProfile(input.project, defaultDataDir(), target.profile);
  if (target.dryRun) {
    const jobs = await crossFitScripts(input, profile);
    if (json) output.out(JSON.stringify({ dryRun: true, jobs }));
    else for (const job of jobs) printDryRun(output, job.sbatchArgs, job.script);
    return 0;
  }
  const { folds, scorer } = await submitCrossFit(input, profile);
  if (json) output.out(JSON.stringify({ folds, scorer: { jobId: scorer.jobId, log: scorer.log } }));
  else {
    for (const fold of folds) output.out(`Submitted fold run ${fold.runId} as Slurm job ${fold.jobId} (profile ${profile.name}): ${fold.folder}`);
    output.out(`Submitted the scoring as Slurm job ${scorer.jobId}, to start when every fold has trained; its output: ${scorer.log}`);
  }
  return 0;
}

function printDryRun(output: CliOutput, sbatchArgs: string[], script: string): void {
  output.out(`# sbatch ${sbatchArgs.join(' ')} <<'EOF'\n${script}EOF`);
}
