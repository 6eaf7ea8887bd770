import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

// Benchmarks belong to the bench project alone; the test projects must not pick up bench files.
const noBenchmarks = { include: [] };

export default defineConfig({
  test: {
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
      // The Slurm tests' one-node cluster is started once for them all (test/support/slurm-cluster.ts).
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          globalSetup: ['test/support/slurm-cluster.ts'],
          benchmark: noBenchmarks,
        },
      },
      { test: { name: 'bench', include: [], environment: 'node', benchmark: { include: ['bench/**/*.bench.ts'] } } },
    ],
  },
});
