// A real one-node Slurm cluster for the tests that send runs to one (scripts/slurm-test-cluster.sh): the
// e2e project's global set-up starts it once and stops it after; the tests that need it ask for it, and
// fail saying why when it could not be started.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** SLURM_CONF of the test cluster, or why there is none. */
    slurmCluster: { conf: string } | { problem: string };
  }
}

const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'slurm-test-cluster.sh');
const run = promisify(execFile);

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'maskbench-slurm-'));
  try {
    const { stdout } = await run('bash', [SCRIPT, 'start', dir]);
    project.provide('slurmCluster', { conf: stdout.trim() });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    project.provide('slurmCluster', { problem: (stderr || (error as Error).message).trim() });
  }
  return async () => {
    await run('bash', [SCRIPT, 'stop', dir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
}

/** The test cluster's SLURM_CONF, set for this process and what it starts (asked every second); throws why when there is none. */
export function useSlurmCluster(): string {
  const cluster = inject('slurmCluster');
  if ('problem' in cluster) {
    throw new Error(
      `These tests need a one-node Slurm cluster, which could not be started: ${cluster.problem}. ` +
        'Install Debian’s slurm-wlm and munge (`sudo apt-get install slurm-wlm munge`) and run the tests as root, as .ci/run does.',
    );
  }
  process.env.SLURM_CONF = cluster.conf;
  // A one-node cluster that only the tests use can be asked every second, as a lab's should not be.
  process.env.MASKBENCH_SLURM_POLL_SECONDS = '1';
  return cluster.conf;
}
