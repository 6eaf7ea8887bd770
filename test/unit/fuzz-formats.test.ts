// A few hundred mutants of each file Maskbench reads (Pascal VOC, CVAT for video and for images,
// annotations.json, project.json), made from the sample fixture: none may crash, hang, leave a project
// that will not open, or be refused without saying where. bench/fuzz.bench.ts runs many more.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAnnotations } from '../../src/core/project/annotations-file';
import { ANNOTATIONS_FILE } from '../../src/core/project/layout';
import { readProjectSettings } from '../../src/core/project/project-settings';
import { FUZZ_FORMATS, fuzz, makeSeeds, type Seeds } from './fuzz-harness';

const MUTANTS = 200;
/** The first frames of the sample: small seeds keep each mutant quick. */
const FRAMES = 3;

describe('fuzzed annotation and project files', () => {
  let root: string;
  let seeds: Seeds;

  beforeAll(async () => {
    const sample = inject('sampleProject');
    root = await mkdtemp(join(tmpdir(), 'maskbench-fuzz-'));
    const annotations = parseAnnotations(await readFile(join(sample, ANNOTATIONS_FILE), 'utf8'), ANNOTATIONS_FILE);
    seeds = await makeSeeds(annotations, (await readProjectSettings(sample))!, FRAMES, await mkdtemp(join(root, 'seeds-')));
  });

  afterAll(() => rm(root, { recursive: true, force: true }));

  it.each(FUZZ_FORMATS.map((format, index) => [format, index] as const))(
    '%s: every mutant is refused, naming where, or imported into a project that opens',
    async (format, index) => {
      const { counts, failures } = await fuzz(seeds, format, MUTANTS, 15_000 + index, root);
      expect(failures.slice(0, 3)).toEqual([]);
      expect(counts).toMatchObject({ mutants: MUTANTS, crashes: 0, hangs: 0, unopenable: 0, unlocated: 0 });
      // Some mutants still import (and so are opened, exported, edited and saved).
      expect(counts.accepted).toBeGreaterThan(0);
    },
    60_000,
  );
});
