// After kill -9 while editing, a project reopens with at most the last second of edits lost, no broken
// file (annotations.json or a copy in history/), and no temp file left once it is open again.

import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ANNOTATIONS_FILE } from '../../src/core/project/layout';
import { buildHarness, crashWhileEditing } from '../support/edit-until-killed';

describe('a crash while editing', () => {
  let dir: string;
  let harness: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'maskbench-test-crash-'));
    harness = await buildHarness(join(dir, 'harness'));
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loses at most the last second of edits and leaves only whole files, kill after kill', async () => {
    const project = join(dir, 'project');
    await mkdir(project);
    await cp(join(inject('sampleProject'), ANNOTATIONS_FILE), join(project, ANNOTATIONS_FILE));
    // The first kill lands around the first save and its copy to history/, the others in later saves.
    for (const [run, killAfterMs] of [
      [1, 220],
      [2, 700],
      [3, 1300],
    ] as const) {
      const crash = await crashWhileEditing(harness, project, run, killAfterMs);
      expect(crash.acknowledged).toBeGreaterThan(10);
      expect(crash.invalid).toEqual([]);
      expect(crash.lostMs).toBeLessThanOrEqual(1000);
      expect(crash.tempFilesAfterOpen).toEqual([]);
    }
    expect((await readdir(join(project, 'history'))).length).toBeGreaterThan(0);
  }, 30_000);
});
