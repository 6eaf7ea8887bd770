// Runs on a Slurm cluster: where a run goes (this machine or the cluster), the profiles that say what a
// cluster job asks for, and the cluster's view of a job as the window and `maskbench runs` show it.

import { fields, list, text, v, whole, type Output } from './schema';

/** `--time`'s forms that Slurm takes: minutes, [days-]hours:minutes[:seconds], minutes:seconds. */
const SLURM_TIME = /^(\d+|\d+:\d{2}|\d+:\d{2}:\d{2}|\d+-\d+|\d+-\d+:\d{2}|\d+-\d+:\d{2}:\d{2})$/;
/** `--mem`'s form: a whole number with an optional unit (K, M, G or T). */
const SLURM_MEMORY = /^\d+[KMGT]?$/;
/** A partition, account or profile name: nothing a shell or sbatch would read as more than a name. */
const NAME = /^[\w.-]{1,64}$/;

const name = (expected: string) => v.pipe(v.string(expected), v.regex(NAME, expected));

/** What a cluster job asks for, each field optional in a profile file and defaulted here. */
export const slurmProfileSchema = fields({
  /** The partition (queue); the cluster's default when not given. */
  partition: v.optional(name('a partition name (letters, digits, ., _ or -)')),
  /** The account the time is charged to; the user's default when not given. */
  account: v.optional(name('an account name (letters, digits, ., _ or -)')),
  cpus: v.optional(whole(1, 1024), 4),
  gpus: v.optional(whole(0, 64), 0),
  memory: v.optional(v.pipe(v.string('a memory size'), v.regex(SLURM_MEMORY, 'a memory size such as 16G or 8000M')), '16G'),
  time: v.optional(v.pipe(v.string('a time limit'), v.regex(SLURM_TIME, 'a time limit such as 90, 12:00:00 or 2-00:00:00')), '24:00:00'),
  /** How the nodes run Maskbench: an installed `maskbench`, or a path to it. */
  command: v.optional(text('a command'), 'maskbench'),
  /** Shell lines run before it on the node (`module load nodejs/20`, say). */
  setup: v.optional(list(v.string('a shell line')), []),
  /** More `#SBATCH` options, as sbatch takes them (`--qos=long`, say). */
  sbatch: v.optional(list(v.pipe(v.string('an sbatch option'), v.regex(/^--?[\w-]+(=\S.*)?$/, 'an sbatch option such as --qos=long'))), []),
});

export type SlurmProfile = Output<typeof slurmProfileSchema>;

/** slurm.json, in a project folder (for that project) or the per-user data folder (for every project). */
export const slurmProfilesFileSchema = fields({
  profiles: v.record(name('a profile name (letters, digits, ., _ or -)'), slurmProfileSchema, 'an object of profiles by name'),
});

/** Where a job runs: here, or on the cluster with a profile ('default' when not named). */
export const runTargetSchema = v.variant(
  'on',
  [fields({ on: v.literal('local') }), fields({ on: v.literal('slurm'), profile: v.optional(name('a profile name'), 'default') })],
  'local or slurm',
);

export type RunTarget = Output<typeof runTargetSchema>;

/** A profile as the window offers it: its name, what it asks for, and which file says so. */
export interface SlurmProfileInfo {
  name: string;
  profile: SlurmProfile;
  /** The file it comes from, or null for the built-in default. */
  file: string | null;
}

/** What the window needs to offer the cluster: the profiles, and whether sbatch can be run from here. */
export interface ClusterInfo {
  profiles: SlurmProfileInfo[];
  /** Why runs cannot go to the cluster from here (no sbatch on PATH, say), or null when they can. */
  unavailable: string | null;
}

/** Slurm's job states, as squeue and sacct print them: those of a job still to run or running, then those after which it will not run again. */
const SLURM_GOING = ['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED'] as const;
const SLURM_END_STATES = ['COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE'] as const;
export const SLURM_STATES = [...SLURM_GOING, ...SLURM_END_STATES] as const;
export type SlurmState = (typeof SLURM_STATES)[number];
export const SLURM_ENDED: readonly SlurmState[] = SLURM_END_STATES;

/** slurm.json in a run's folder: the cluster job that trains it, written when it is submitted. */
export interface SlurmRecord {
  jobId: string;
  profile: string;
  /** What the job asked for. */
  resources: SlurmProfile;
  submittedAt: string;
  /** The run this one was submitted again for, after the cluster ended that one (config.json's resumedFrom says from which epoch). */
  resubmitOf?: string;
}

/** A cluster job as the cluster last said, for the runs list. */
export interface ClusterJob {
  jobId: string;
  /** Null when the cluster could not be asked, or no longer remembers the job. */
  state: SlurmState | null;
  /** Why it waits (Priority, Resources) or why it ended, as Slurm words it. */
  reason: string | null;
  node: string | null;
  /** Why the cluster could not say, when `state` is null. */
  problem?: string;
}

/** How an ended cluster job is worded for a person: "the time limit", "out of memory". */
export const SLURM_ENDINGS: Partial<Record<SlurmState, string>> = {
  CANCELLED: 'cancelled on the cluster (scancel)',
  FAILED: 'failed on the cluster',
  TIMEOUT: 'killed by the cluster at its time limit',
  OUT_OF_MEMORY: 'killed by the cluster: out of memory',
  NODE_FAIL: 'ended by the cluster: its node failed',
  PREEMPTED: 'preempted by the cluster',
  BOOT_FAIL: 'ended by the cluster: its node did not boot',
  DEADLINE: 'ended by the cluster: past its deadline',
};

/** "Slurm job 12: pending (Priority)", "Slurm job 12: running on node3", or why the cluster could not say. */
export function describeClusterJob(job: ClusterJob): string {
  if (!job.state) return `Slurm job ${job.jobId}: ${job.problem ?? 'the cluster has not said'}`;
  const where = job.node && job.state !== 'PENDING' ? ` on ${job.node}` : '';
  return `Slurm job ${job.jobId}: ${job.state.toLowerCase().replace(/_/g, ' ')}${where}${job.reason ? ` (${job.reason})` : ''}`;
}

/** "4 CPUs, 1 GPU, 16G, 24:00:00 on gpu": what a profile asks for, in a line. */
export function describeProfile(profile: SlurmProfile): string {
  const plural = (count: number, what: string) => `${count} ${what}${count === 1 ? '' : 's'}`;
  // A bare number is minutes to Slurm.
  const time = /^\d+$/.test(profile.time) ? `${profile.time} min` : profile.time;
  return (
    [plural(profile.cpus, 'CPU'), ...(profile.gpus ? [plural(profile.gpus, 'GPU')] : []), profile.memory, time].join(', ') +
    (profile.partition ? ` on ${profile.partition}` : '')
  );
}
