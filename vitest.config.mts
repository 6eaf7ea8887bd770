import { availableParallelism } from 'node:os';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

// Benchmarks belong to the bench project alone; the test projects must not pick up bench files.
const noBenchmarks = { include: [] };
const e2e = { environment: 'node', testTimeout: 60_000, hookTimeout: 120_000, benchmark: noBenchmarks } as const;
const SLURM_TESTS = ['test/e2e/slurm*.test.ts'];

export default defineConfig({
  test: {
    // Two test files at a time even on two cores (vitest would run one): most of a browser or cluster test
    // is spent waiting for Chromium, a worker or Slurm, and the other file uses the core meanwhile.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Speed is the benchmarks' business: a generous time-out keeps a busy machine from failing a correct test.
          testTimeout: 30_000,
          globalSetup: ['test/support/sample-fixture.ts'],
          benchmark: noBenchmarks,
        },
      },
      { plugins: [vue()], test: { name: 'renderer', include: ['test/renderer/**/*.test.ts'], environment: 'happy-dom', benchmark: noBenchmarks } },
      // Real Chromium against the built app in browser mode: slower, so generous time-outs.
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], exclude: SLURM_TESTS, ...e2e } },
      // The Slurm tests share one one-node cluster, started once for them all (test/support/slurm-cluster.ts):
      // one file at a time, after the others, or one file's runs wait in the queue behind the other's.
      { test: { name: 'slurm', include: SLURM_TESTS, fileParallelism: false, globalSetup: ['test/support/slurm-cluster.ts'], ...e2e } },
      { test: { name: 'bench', include: [], environment: 'node', benchmark: { include: ['bench/**/*.bench.ts'] } } },
    ],
  },
});
