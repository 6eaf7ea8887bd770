// The long fuzz run: 2,000 mutants of each file Maskbench reads (10,000 in all), from the sample
// fixture's annotations (the generator's ground truth for the test fixture, made without rendering its
// video). Prints what became of them; the target is 0 crashes, 0 hangs over 10 s, 0 imports that leave a
// project that will not open, and no refusal that does not say where.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, bench, describe } from 'vitest';
import { Camera } from '../src/core/sample/camera';
import { createCast } from '../src/core/sample/cast';
import { groundTruth } from '../src/core/sample/ground-truth';
import { Prng } from '../src/core/util/prng';
import { fromBoxes } from '../src/shared/keyframes';
import { DEFAULT_LABEL_MAPPING, DEFAULT_LABELS, PROJECT_SCHEMA, type ProjectSettings } from '../src/shared/project';
import { FIXTURE_OPTIONS } from '../test/support/sample-fixture';
import { FUZZ_FORMATS, fuzz, makeSeeds, type FuzzCounts, type FuzzFailure, type FuzzFormat } from '../test/unit/fuzz-harness';

const MUTANTS = 2000;
const FRAMES = 8;
const { width, height, frames, fps, seed } = FIXTURE_OPTIONS;
const camera = new Camera(width, height);
const annotations = fromBoxes(groundTruth(camera, createCast(camera, frames, fps, new Prng(seed).fork(1)), frames));
const settings: ProjectSettings = {
  schema: PROJECT_SCHEMA,
  name: 'fuzz',
  media: null,
  labels: [...DEFAULT_LABELS],
  labelMapping: { ...DEFAULT_LABEL_MAPPING },
};
const root = await mkdtemp(join(tmpdir(), 'maskbench-bench-fuzz-'));
const seeds = await makeSeeds(annotations, settings, FRAMES, await mkdtemp(join(root, 'seeds-')));
const results = new Map<FuzzFormat, FuzzCounts>();
const failures: FuzzFailure[] = [];

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  const rows = [...results].map(
    ([format, c]) =>
      `  ${format.padEnd(17)} ${c.mutants} mutants: ${c.accepted} imported and reopened, ${c.refused} refused naming where; ` +
      `${c.crashes} crashes, ${c.hangs} hangs, ${c.unopenable} unopenable, ${c.unlocated} without a place; slowest ${(c.slowestMs / 1000).toFixed(2)} s`,
  );
  const total = (key: keyof FuzzCounts) => [...results.values()].reduce((sum, counts) => sum + counts[key], 0);
  console.log(
    `\nFuzzed files (seed inputs: ${FRAMES} frames of the sample fixture):\n${rows.join('\n')}\n` +
      `  all: ${total('mutants')} mutants, ${total('crashes')} crashes, ${total('hangs')} hangs, ${total('unopenable')} unopenable, ${total('unlocated')} without a place` +
      failures
        .slice(0, 10)
        .map((failure) => `\n  ${failure.kind} (${failure.format}, ${failure.mutation}): ${failure.message.split('\n')[0]}`)
        .join(''),
  );
});

describe(`fuzzed files, ${MUTANTS} mutants of each format`, () => {
  FUZZ_FORMATS.forEach((format, index) => {
    bench(
      `${format}`,
      async () => {
        const run = await fuzz(seeds, format, MUTANTS, 150_000 + index, root);
        results.set(format, run.counts);
        failures.push(...run.failures);
      },
      { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
    );
  });
});
