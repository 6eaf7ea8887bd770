// The batch script of a job on a Slurm cluster: the job's resources from its profile, then one `maskbench`
// command (a run's `train` with its exact options, or `predict` and `review` over a run). It pins the
// Maskbench version that submitted it: a node with another version refuses the job rather than do it
// differently.

import type { SlurmProfile } from '../../shared/cluster';
import type { TrainingOptions } from '../../shared/runs';

export interface BatchScriptInput {
  /** What the job does, for the script's first comment: "run <id> of <project>". */
  what: string;
  /** The maskbench command and its arguments, each one word (quoted here). */
  args: string[];
  profileName: string;
  profile: SlurmProfile;
  version: string;
}

/** The script, as sbatch reads it from stdin. */
export function batchScript({ what, args, profileName, profile, version }: BatchScriptInput): string {
  const directives = [
    '--ntasks=1',
    `--cpus-per-task=${profile.cpus}`,
    `--mem=${profile.memory}`,
    `--time=${profile.time}`,
    ...(profile.partition ? [`--partition=${profile.partition}`] : []),
    ...(profile.account ? [`--account=${profile.account}`] : []),
    ...(profile.gpus > 0 ? [`--gpus=${profile.gpus}`] : []),
    ...profile.sbatch,
  ];
  return [
    '#!/bin/bash',
    `# Maskbench ${version}: ${what}, with the Slurm profile "${profileName}".`,
    ...directives.map((directive) => `#SBATCH ${directive}`),
    'set -euo pipefail',
    ...profile.setup,
    '# The version that submitted the job does it, or nothing does.',
    `version=$(${profile.command} --version)`,
    `if [ "$version" != ${shellQuote(version)} ]; then`,
    `  echo "This job was submitted with Maskbench ${version}, but this node runs Maskbench $version: install ${version} on the nodes." >&2`,
    '  exit 3',
    'fi',
    `exec ${profile.command} ${args.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}

/** `maskbench train` for a run whose folder was made when it was submitted, with its exact options. */
export function trainArgs(run: { project: string; runId: string; options: TrainingOptions; group: string | null; resumeFrom: string | null }): string[] {
  return [
    'train',
    '--project',
    run.project,
    '--run',
    run.runId,
    ...(run.group ? ['--group', run.group] : []),
    ...(run.resumeFrom ? ['--resume-from', run.resumeFrom] : []),
    '--options',
    JSON.stringify(run.options),
  ];
}

/** `maskbench predict` with a run's model over frames `from`-`to` (all when not said). */
export function predictArgs(run: { project: string; runId: string; from?: number; to?: number; backend?: string }): string[] {
  return ['predict', '--project', run.project, '--run', run.runId, ...flag('from', run.from), ...flag('to', run.to), ...flag('backend', run.backend)];
}

/** `maskbench review --score-folds`: a cross-fit whose folds have trained as runs, each fold's model scoring what it held out. */
export function scoreFoldsArgs(run: { project: string; runId: string; backend: string }): string[] {
  return ['review', '--project', run.project, '--run', run.runId, '--score-folds', '--backend', run.backend];
}

function flag(name: string, value: string | number | undefined): string[] {
  return value === undefined ? [] : [`--${name}`, String(value)];
}

/** The sbatch options that name files: given on its command line, where a path with spaces needs no quoting rules of #SBATCH's. */
export function sbatchArgs(name: string, folder: string, logFile: string): string[] {
  return [`--job-name=maskbench-${name}`, `--chdir=${folder}`, `--output=${logFile}`];
}

/** The text as one word for a POSIX shell, whatever it holds; quoted only where it needs to be, for a script people read. */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
