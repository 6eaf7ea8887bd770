// Cutting crop datasets from the sample video at its default size (1280x720, 1500 frames): crops per
// second end to end (decoding included). Target: at least 300 crops/s.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, bench, describe } from 'vitest';
import { DATASET_DEFAULTS } from '../src/shared/dataset';
import { buildDataset } from '../src/core/dataset/build-dataset';
import type { DatasetSummary } from '../src/shared/dataset';
import { BIN, assertBuilt } from '../test/support/built-app';

assertBuilt();
const folder = await mkdtemp(join(tmpdir(), 'maskbench-bench-dataset-'));
const project = join(folder, 'walkway');
const study = join(folder, 'study');
await promisify(execFile)(process.execPath, [BIN, 'sample', project]);
// The study's length (4,357 frames); at 640x360 to keep the benchmark's own set-up short.
await promisify(execFile)(process.execPath, [BIN, 'sample', study, '--frames', '4357', '--width', '640', '--height', '360'], { maxBuffer: 1 << 24 });
const results: string[] = [];
const once = { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 };
const context = { signal: new AbortController().signal, progress: () => {}, log: () => {} };
const report = (what: string, summary: DatasetSummary) =>
  results.push(
    `${what}: ${summary.crops} crops in ${summary.seconds} s (${summary.cropsPerSecond} crops/s${summary.reused ? `, ${summary.reused} reused` : ''})`,
  );

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
  console.log(`\nDataset builder: ${results.join('; ')}`);
});

describe('dataset builder', () => {
  bench(
    'every frame, head crops, 64 px',
    async () => {
      report(
        'default sample (1280x720, 1500 frames), every frame',
        await buildDataset(project, 'all', { ...DATASET_DEFAULTS, stride: 1, crop: 'head' }, context),
      );
    },
    once,
  );
  bench(
    'every 40th frame with flips, 64 px (as the study)',
    async () => {
      report('default sample, every 40th frame with flips', await buildDataset(project, 'stride40', { ...DATASET_DEFAULTS, stride: 40, flip: true }, context));
    },
    once,
  );
  bench(
    'the same again (a rebuild reuses unchanged crops)',
    async () => {
      report('the same rebuilt', await buildDataset(project, 'stride40', { ...DATASET_DEFAULTS, stride: 40, flip: true }, context, true));
    },
    once,
  );
  bench(
    'study-sized project (4,357 frames), every 40th frame',
    async () => {
      report(
        'study-sized (4,357 frames at 640x360), every 40th frame',
        await buildDataset(study, 'stride40', { ...DATASET_DEFAULTS, stride: 40, flip: true }, context),
      );
    },
    once,
  );
});
