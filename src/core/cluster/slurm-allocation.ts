// What a Slurm job was given, as Slurm tells the job's process in its environment; recorded in the run's
// config.json so a run says where it trained and on what.

import type { SlurmAllocation } from '../../shared/runs';

/** The job's allocation, or null outside a Slurm job. */
export function slurmAllocation(env: NodeJS.ProcessEnv = process.env): SlurmAllocation | null {
  const jobId = env.SLURM_JOB_ID;
  if (!jobId) return null;
  const count = (value: string | undefined) => (value && /^\d+$/.test(value) ? Number(value) : null);
  return {
    jobId,
    node: env.SLURMD_NODENAME ?? env.SLURM_JOB_NODELIST ?? 'unknown',
    cpus: count(env.SLURM_CPUS_PER_TASK),
    gpus: env.SLURM_GPUS ?? env.SLURM_JOB_GPUS ?? null,
    memoryMb: count(env.SLURM_MEM_PER_NODE),
    partition: env.SLURM_JOB_PARTITION ?? null,
  };
}
