// Slurm's own commands, the only way Maskbench talks to a cluster: sbatch to submit, squeue and sacct to
// ask, scancel to cancel. They read the cluster's configuration as they always do (/etc/slurm, or
// SLURM_CONF), so Maskbench needs no settings of its own to find the cluster.

import { execFile } from 'node:child_process';
import { SLURM_STATES, type ClusterJob, type SlurmState } from '../../shared/cluster';
import { WorkbenchError } from '../../shared/errors';

/** A controller that does not answer in this long is taken as unreachable. */
const COMMAND_TIMEOUT_MS = 30_000;

/** Runs a Slurm command; one that is missing, fails or hangs is a 'cluster-unavailable' error saying which and why. */
function slurm(command: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { timeout: COMMAND_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? `${command} is not installed on this machine (not on PATH), so it cannot send work to a Slurm cluster`
          : error.killed
            ? `${command} did not answer in ${COMMAND_TIMEOUT_MS / 1000} s: the cluster's controller may be down or unreachable`
            : `${command} failed: ${(stderr.trim() || error.message).split('\n').slice(0, 5).join(' ')}`;
      reject(new WorkbenchError('cluster-unavailable', `The Slurm cluster cannot be reached: ${why}`));
    });
    // A command that exits without reading its input (refusing at once) closes the pipe: its exit says why.
    child.stdin?.on('error', () => {});
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Submits a batch script (given on stdin, so the file sbatch keeps is exactly it) and resolves to the job's id. */
export async function sbatch(script: string, args: string[]): Promise<string> {
  const out = await slurm('sbatch', ['--parsable', ...args], script);
  // --parsable prints "id" or "id;cluster".
  const jobId = out.trim().split(';')[0] ?? '';
  if (!/^\d+$/.test(jobId)) throw new WorkbenchError('cluster-unavailable', `sbatch did not say which job it made (it printed "${out.trim()}")`);
  return jobId;
}

export async function scancel(jobId: string): Promise<void> {
  await slurm('scancel', [jobId]);
}

/** Whether sbatch can be run here, or why not. */
export async function slurmUnavailable(): Promise<string | null> {
  try {
    await slurm('sbatch', ['--version']);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * What the cluster says of each job: squeue while the controller remembers it (pending, running, and for
 * a while after it ends), then sacct (the accounting database, where a cluster keeps one). A job neither
 * knows has a null state and the reason why.
 */
export async function clusterJobs(jobIds: readonly string[]): Promise<Map<string, ClusterJob>> {
  const found = new Map<string, ClusterJob>();
  if (jobIds.length === 0) return found;
  for (const job of await squeue(jobIds)) found.set(job.jobId, job);
  const rest = jobIds.filter((id) => !found.has(id));
  if (rest.length > 0) {
    const accounted = await sacct(rest).catch((error: Error) => error);
    for (const id of rest) {
      const job = accounted instanceof Error ? undefined : accounted.find((candidate) => candidate.jobId === id);
      found.set(
        id,
        job ?? {
          jobId: id,
          state: null,
          reason: null,
          node: null,
          problem: `the cluster no longer remembers job ${id}${accounted instanceof Error ? ` (and sacct cannot say: ${accounted.message})` : ''}`,
        },
      );
    }
  }
  return found;
}

const SQUEUE_FORMAT = '%i|%T|%r|%N';

async function squeue(jobIds: readonly string[]): Promise<ClusterJob[]> {
  try {
    return parseJobLines(await slurm('squeue', ['--noheader', '--states=all', `--jobs=${jobIds.join(',')}`, `--format=${SQUEUE_FORMAT}`]));
  } catch (error) {
    if (!/Invalid job id/i.test((error as Error).message)) throw error;
    // squeue refuses the whole list when it has forgotten one of its jobs: ask for each alone then.
    if (jobIds.length === 1) return [];
    return (await Promise.all(jobIds.map((id) => squeue([id])))).flat();
  }
}

async function sacct(jobIds: readonly string[]): Promise<ClusterJob[]> {
  const out = await slurm('sacct', ['--noheader', '--parsable2', '--allocations', `--jobs=${jobIds.join(',')}`, '--format=JobID,State,Reason,NodeList']);
  return parseJobLines(out);
}

/** "id|STATE|reason|nodes" lines; sacct says "CANCELLED by 1000", and "None" or "(null)" where there is nothing. */
export function parseJobLines(out: string): ClusterJob[] {
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [jobId = '', stateText = '', reason = '', node = ''] = line.trim().split('|');
      const word = stateText.split(' ')[0] ?? '';
      const state = (SLURM_STATES as readonly string[]).includes(word) ? (word as SlurmState) : null;
      const nothing = (value: string) => (value === '' || value === 'None' || value === '(null)' || value === 'None assigned' ? null : value);
      return { jobId, state, reason: nothing(reason), node: nothing(node), ...(state === null && { problem: `Slurm says the job is "${stateText}"` }) };
    });
}
