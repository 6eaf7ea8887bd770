// Autosave's history/ and temp files: a copy at most every ten minutes across restarts, none of an
// unchanged file, always one of the file an import replaces; temp files of saves cut off by a crash go
// on the next open, and nothing else does.

import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { AnnotationStore } from '../../src/core/project/annotation-store';
import { ANNOTATIONS_FILE, projectPaths } from '../../src/core/project/layout';
import { useTempDirs } from '../support/temp-dir';

const LABELS = ['MW', 'NM', 'ND'];
const tempDir = useTempDirs();

async function sampleAnnotations(): Promise<string> {
  const project = await tempDir();
  await cp(join(inject('sampleProject'), ANNOTATIONS_FILE), join(project, ANNOTATIONS_FILE));
  return project;
}

/** Opens the project as a restarted app would, makes one edit and waits for it to be saved. */
async function openAndEdit(project: string, x: number): Promise<AnnotationStore> {
  const store = (await AnnotationStore.load(project, LABELS))!;
  const track = store.annotations.tracks[0]!;
  store.apply({ type: 'move-box', trackId: track.id, frame: track.shapes[0]!.frame, box: { xtl: x, ytl: 1, xbr: x + 50, ybr: 100 } });
  await store.flush();
  return store;
}

const history = async (project: string) => (await readdir(projectPaths(project).history)).filter((name) => name.endsWith('.json')).sort();

/** Dates the history copies eleven minutes back, as if that long had passed since they were made. */
async function ageHistory(project: string): Promise<void> {
  const then = new Date(Date.now() - 11 * 60 * 1000);
  for (const name of await history(project)) await utimes(join(projectPaths(project).history, name), then, then);
}

describe('history copies', () => {
  it('makes one copy per ten minutes of editing, however often the app restarts', async () => {
    const project = await sampleAnnotations();
    const original = await readFile(join(project, ANNOTATIONS_FILE), 'utf8');
    for (let restart = 1; restart <= 5; restart++) await openAndEdit(project, restart);
    expect(await history(project)).toHaveLength(1);
    expect(await readFile(join(projectPaths(project).history, (await history(project))[0]!), 'utf8')).toBe(original);
    await ageHistory(project);
    await openAndEdit(project, 6);
    expect(await history(project)).toHaveLength(2);
  });

  it('makes no copy of a file that has not changed since the last copy', async () => {
    const project = await sampleAnnotations();
    await mkdir(projectPaths(project).history);
    await cp(join(project, ANNOTATIONS_FILE), join(projectPaths(project).history, 'annotations-2026-01-01T00-00-00-000Z.json'));
    await ageHistory(project);
    await openAndEdit(project, 1);
    expect(await history(project)).toEqual(['annotations-2026-01-01T00-00-00-000Z.json']);
  });

  it('keeps the file an import replaces, however recent the last copy', async () => {
    const project = await sampleAnnotations();
    const store = await openAndEdit(project, 1);
    expect(await history(project)).toHaveLength(1);
    await AnnotationStore.create(project, { ...store.annotations, tracks: [] }, LABELS);
    expect(await history(project)).toHaveLength(2);
  });
});

describe('temp files of saves cut off by a crash', () => {
  it('are removed on the next open: only ours, and only those whose writer is gone', async () => {
    const project = await sampleAnnotations();
    const { history: historyDir } = projectPaths(project);
    await mkdir(historyDir);
    // A process that has ended, as a killed app has.
    const dead = Number((await promisify(execFile)(process.execPath, ['-p', 'process.pid'])).stdout);
    const stray = [
      `.annotations.json.${dead}.0123456789ab.tmp`,
      `.project.json.${dead}.a1b2c3d4e5f6.tmp`,
      // As builds before the pid was in the name wrote them.
      '.annotations.json.0123456789ab.tmp',
      `history/.annotations-2026-01-01T00-00-00-000Z.json.${dead}.abcdefabcdef.tmp`,
    ];
    const kept = [
      // A save in progress in this very process.
      `.annotations.json.${process.pid}.0123456789ab.tmp`,
      // A user's own files.
      'notes.tmp',
      '.notes.tmp',
      'annotations.json.tmp',
      `.annotations.json.${dead}.0123456789ab.tmp.bak`,
      '.annotations.json.notahexname1.tmp',
      'history/notes.tmp',
    ];
    for (const name of [...stray, ...kept]) await writeFile(join(project, name), 'x');
    await AnnotationStore.load(project, LABELS);
    const left = [...(await readdir(project)), ...(await readdir(historyDir)).map((name) => `history/${name}`)];
    expect(left).toEqual(expect.arrayContaining(kept));
    expect(left.filter((name) => stray.includes(name))).toEqual([]);
  });

  it('are removed once an hour old even when their pid has been given to a running process', async () => {
    const project = await sampleAnnotations();
    const old = join(project, `.annotations.json.${process.pid}.0123456789ab.tmp`);
    await writeFile(old, 'x');
    const then = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(old, then, then);
    await AnnotationStore.load(project, LABELS);
    expect(await readdir(project)).toEqual([ANNOTATIONS_FILE]);
  });
});
