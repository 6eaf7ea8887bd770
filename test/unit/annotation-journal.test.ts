// Saving a large project: an edit appends the tracks it changed to annotations.journal.jsonl instead of
// rewriting a file of tens of megabytes; opening applies the journal; leaving the project folds it into
// annotations.json; a line cut short by a crash is dropped, and a bad line is named.

import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { ProjectAnnotations } from '../../src/shared/annotations';
import { AnnotationStore } from '../../src/core/project/annotation-store';
import { projectPaths } from '../../src/core/project/layout';
import { useTempDirs } from '../support/temp-dir';

const LABELS = ['MW', 'NM', 'ND'];
const tempDir = useTempDirs();
const FRAMES = 20_000;

/** A project whose annotations.json (schema 1) is over 1 MB: 80 people of 1,000 per-frame boxes each. */
async function largeProject(): Promise<string> {
  const folder = await tempDir();
  const tracks = Array.from({ length: 80 }, (_, t) => ({
    id: t + 1,
    shapes: Array.from({ length: 1000 }, (_, i) => ({
      frame: t * 200 + i,
      ...{ xtl: 100 + i * 0.25, ytl: 200, xbr: 180 + i * 0.25, ybr: 400 },
      ...{ label: LABELS[t % 3]!, occluded: false, outside: false, zOrder: 0, attributes: {} },
    })),
  }));
  const annotations: ProjectAnnotations = {
    schema: 2,
    width: 1920,
    height: 1080,
    frameCount: FRAMES,
    frameNames: Array.from({ length: FRAMES }, (_, f) => `frame_${String(f).padStart(6, '0')}.jpg`),
    tracks,
  };
  // Written as schema 1 did, each track a list of shapes: the form a project made before schema 2 has, and
  // large enough to be journaled. The journal then holds tracks as columns beside it.
  await writeFile(projectPaths(folder).annotations, JSON.stringify({ ...annotations, schema: 1 }));
  expect((await stat(projectPaths(folder).annotations)).size).toBeGreaterThan(1024 * 1024);
  return folder;
}

const journalLines = async (folder: string) => (await readFile(projectPaths(folder).annotationsJournal, 'utf8')).split('\n').filter(Boolean);
const reopen = async (folder: string) => (await AnnotationStore.load(folder, LABELS))!.annotations;

describe('the journal of a large project', () => {
  it('saves an edit as the tracks it changed, and opening applies the lines in order', async () => {
    const folder = await largeProject();
    const before = await readFile(projectPaths(folder).annotations, 'utf8');
    const store = (await AnnotationStore.load(folder, LABELS))!;
    store.apply({ type: 'move-box', trackId: 5, frame: 810, box: { xtl: 10, ytl: 20, xbr: 60, ybr: 220 } });
    await store.flush();
    store.apply({ type: 'delete-track', trackId: 9 });
    await store.flush();

    // annotations.json is untouched; one line per save, holding the changed tracks whole.
    expect(await readFile(projectPaths(folder).annotations, 'utf8')).toBe(before);
    const lines = (await journalLines(folder)).map((line) => JSON.parse(line) as { tracks: Array<{ id: number }>; removed: number[] });
    expect(lines.map((line) => [line.tracks.map((track) => track.id), line.removed])).toEqual([
      [[5], []],
      [[], [9]],
    ]);
    const reopened = await reopen(folder);
    expect(reopened).toEqual(store.annotations);
    expect(reopened.tracks.map((track) => track.id)).not.toContain(9);
    expect(reopened.tracks.find((track) => track.id === 5)!.shapes.find((shape) => shape.frame === 810)).toMatchObject({ xtl: 10, ytl: 20, xbr: 60, ybr: 220 });

    // Undo is an edit like any other: journaled, and applied on the next open.
    store.undo();
    store.undo();
    await store.flush();
    expect(await reopen(folder)).toEqual({ ...(JSON.parse(before) as ProjectAnnotations), schema: 2 });
  });

  it('folds the journal into annotations.json when the project is left', async () => {
    const folder = await largeProject();
    const store = (await AnnotationStore.load(folder, LABELS))!;
    store.apply({ type: 'delete-track', trackId: 3 });
    await store.flush();
    await store.close();
    await expect(stat(projectPaths(folder).annotationsJournal)).rejects.toMatchObject({ code: 'ENOENT' });
    const file = JSON.parse(await readFile(projectPaths(folder).annotations, 'utf8')) as ProjectAnnotations;
    expect(file.tracks.map((track) => track.id)).not.toContain(3);
    // Written whole, the file is schema 2 now: tracks as columns.
    expect([file.schema, 'frame' in file.tracks[0]!]).toEqual([2, true]);
    expect(await reopen(folder)).toEqual(store.annotations);
  });

  it('drops a last line cut short by a crash, and names a bad line before it', async () => {
    const folder = await largeProject();
    const store = (await AnnotationStore.load(folder, LABELS))!;
    store.apply({ type: 'delete-track', trackId: 4 });
    await store.flush();
    const saved = store.annotations;
    await appendFile(projectPaths(folder).annotationsJournal, '{"tracks":[{"id":7,"shapes":[');
    expect(await reopen(folder)).toEqual(saved);

    await writeFile(projectPaths(folder).annotationsJournal, '{"tracks":[],"removed":["x"]}\n{"tracks":[],"removed":[]}\n');
    await expect(AnnotationStore.load(folder, LABELS)).rejects.toMatchObject({
      code: 'invalid-project',
      where: { file: projectPaths(folder).annotationsJournal, field: expect.stringContaining('line 1') },
    });
  });
});
