// The batch script of a run on a Slurm cluster: the job's resources from its profile, then the `maskbench
// train` command with the run's exact options. It pins the Maskbench version that submitted it: a node
// with another version refuses the run rather than train it differently.

import type { SlurmProfile } from '../../shared/cluster';
import type { TrainingOptions } from '../../shared/runs';

export interface BatchScriptInput {
  project: string;
  runId: string;
  options: TrainingOptions;
  group: string | null;
  /** The run whose checkpoint it goes on from. */
  resumeFrom: string | null;
  profileName: string;
  profile: SlurmProfile;
  version: string;
}

/** The script, as sbatch reads it from stdin. */
export function batchScript({ project, runId, options, group, resumeFrom, profileName, profile, version }: BatchScriptInput): string {
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
  const train = [
    profile.command,
    'train',
    '--project',
    shellQuote(project),
    '--run',
    shellQuote(runId),
    ...(group ? ['--group', shellQuote(group)] : []),
    ...(resumeFrom ? ['--resume-from', shellQuote(resumeFrom)] : []),
    '--options',
    shellQuote(JSON.stringify(options)),
  ].join(' ');
  return [
    '#!/bin/bash',
    `# Maskbench ${version}: run ${runId} of ${project}, with the Slurm profile "${profileName}".`,
    ...directives.map((directive) => `#SBATCH ${directive}`),
    'set -euo pipefail',
    ...profile.setup,
    '# The version that submitted the run trains it, or nothing does.',
    `version=$(${profile.command} --version)`,
    `if [ "$version" != ${shellQuote(version)} ]; then`,
    `  echo "This run was submitted with Maskbench ${version}, but this node runs Maskbench $version: install ${version} on the nodes." >&2`,
    '  exit 3',
    'fi',
    `exec ${train}`,
    '',
  ].join('\n');
}

/** The sbatch options that name files: given on its command line, where a path with spaces needs no quoting rules of #SBATCH's. */
export function sbatchArgs(runId: string, runFolder: string, logFile: string): string[] {
  return [`--job-name=maskbench-${runId}`, `--chdir=${runFolder}`, `--output=${logFile}`];
}

/** The text as one word for a POSIX shell, whatever it holds. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
