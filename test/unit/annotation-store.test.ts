import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Edit, ProjectAnnotations } from '../../src/shared/annotations';
import { boxAt, materialize } from '../../src/shared/keyframes';
import { unpackAnnotations } from '../../src/shared/packed-annotations';
import { AnnotationStore } from '../../src/core/project/annotation-store';
import { parseAnnotations } from '../../src/core/project/annotations-file';
import { ANNOTATIONS_FILE } from '../../src/core/project/layout';
import { dispatch } from '../../src/core/dispatch';
import { applyEdit } from '../../src/core/annotations/edits';
import { useTempDirs } from '../support/temp-dir';
import { testWorkbench } from '../support/workbench';

const LABELS = ['MW', 'NM', 'ND'];

/** The same boxes, allowing for CVAT's rounding to hundredths of a pixel. */
function expectSameBoxes(actual: string[], expected: string[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((line, i) => {
    const [a, b] = [line.split(' '), expected[i]!.split(' ')];
    expect(a.slice(0, 4)).toEqual(b.slice(0, 4));
    a.slice(4).forEach((value, j) => expect(Math.abs(Number(value) - Number(b[4 + j]))).toBeLessThanOrEqual(0.011));
  });
}

/** Every box of every frame as text, to compare whole states. */
function allBoxes(annotations: ProjectAnnotations): string[] {
  return materialize(annotations, LABELS).tracks.flatMap((track) =>
    track.boxes.map((box) => `${box.frame} ${track.id} ${box.label} ${box.occluded} ${box.xtl} ${box.ytl} ${box.xbr} ${box.ybr}`),
  );
}

describe('editing annotations', () => {
  const tempDir = useTempDirs();
  let folder: string;
  let store: AnnotationStore;
  let original: string[];
  /** A long track and a frame in the middle of it that is not a keyframe. */
  let trackId: number;
  let frame: number;

  beforeEach(async () => {
    folder = await tempDir();
    await cp(join(inject('sampleProject'), ANNOTATIONS_FILE), join(folder, ANNOTATIONS_FILE));
    store = (await AnnotationStore.load(folder, LABELS))!;
    original = allBoxes(store.annotations);
    const track = [...store.annotations.tracks].sort((a, b) => b.shapes.length - a.shapes.length)[0]!;
    trackId = track.id;
    const inView = (f: number) => [-3, -2, -1, 0, 1, 2, 3].every((d) => boxAt(track, f + d));
    frame = [...Array(store.annotations.frameCount).keys()].find((f) => inView(f) && !boxAt(track, f)!.keyframe)!;
  });

  // Edits autosave: let the last save land before the folder is removed (hooks run last-registered first).
  afterEach(() => store.flush());

  const box = (id = trackId, at = frame) =>
    boxAt(
      store.annotations.tracks.find((track) => track.id === id)!,
      at,
    );
  const other = (label: string) => LABELS.find((candidate) => candidate !== label)!;

  it('moves a box: the frame becomes a keyframe, and no other frame changes', () => {
    store.apply({ type: 'move-box', trackId, frame, box: { xtl: 10, ytl: 20, xbr: 60, ybr: 200 } });
    expect(box()).toMatchObject({ keyframe: true, xtl: 10, ytl: 20, xbr: 60, ybr: 200 });
    const changed = allBoxes(store.annotations).filter((line) => !original.includes(line));
    // Interpolation between the new keyframe and its neighbours moves frames in between, but only in this track.
    expect(changed.every((line) => line.split(' ')[1] === String(trackId))).toBe(true);
  });

  it('relabels one box, or a track over a range, leaving the frames around as they were', () => {
    const label = box()!.label;
    store.apply({ type: 'relabel-box', trackId, frame, label: other(label) });
    expect([box(trackId, frame - 1)!.label, box()!.label, box(trackId, frame + 1)!.label]).toEqual([label, other(label), label]);
    store.undo();
    store.apply({ type: 'relabel-track', trackId, from: frame - 1, to: frame + 1, label: other(label) });
    expect([-2, -1, 0, 1, 2].map((d) => box(trackId, frame + d)?.label)).toEqual([label, other(label), other(label), other(label), label]);
    // Only labels changed: every box keeps its place.
    const withoutLabels = (lines: string[]) =>
      lines.map((line) =>
        line
          .split(' ')
          .map((part, i) => (i === 2 ? '-' : part))
          .join(' '),
      );
    expectSameBoxes(withoutLabels(allBoxes(store.annotations)), withoutLabels(original));
  });

  it('splits a track in two and merges it back to the same boxes', () => {
    const result = store.apply({ type: 'split-track', trackId, frame });
    const newId = result.tracks.find((track) => track.id !== trackId)!.id;
    expect(box(trackId, frame)).toBeNull();
    expect(box(newId, frame)).not.toBeNull();
    expectSameBoxes(
      allBoxes(store.annotations)
        .map((line) => line.replace(` ${newId} `, ` ${trackId} `))
        .sort(),
      [...original].sort(),
    );
    store.apply({ type: 'merge-tracks', trackId, otherId: newId });
    expectSameBoxes(allBoxes(store.annotations), original);
  });

  it('merges a track that leaves the view with one that starts where it left, moving no box', () => {
    // As imported data can be: no keyframe just before the outside one, so frames 1-9 show the box held.
    const shape = (frame: number, x: number, outside = false) => ({
      frame,
      xtl: x,
      ytl: 0,
      xbr: x + 40,
      ybr: 100,
      label: 'MW',
      occluded: false,
      outside,
      zOrder: 0,
      attributes: {},
    });
    const annotations: ProjectAnnotations = {
      schema: 2,
      width: 640,
      height: 360,
      frameCount: 20,
      frameNames: [],
      tracks: [
        { id: 1, shapes: [shape(0, 0), shape(10, 0, true)] },
        { id: 2, shapes: [shape(10, 500)] },
      ],
    };
    const xs = () => [...Array(20).keys()].map((f) => annotations.tracks.map((track) => boxAt(track, f)?.xtl).find((x) => x !== undefined));
    const before = xs();
    applyEdit(annotations, { type: 'merge-tracks', trackId: 1, otherId: 2 }, LABELS);
    expect(annotations.tracks).toHaveLength(1);
    expect(xs()).toEqual(before);
  });

  it('refuses to merge tracks that are in view on the same frame', () => {
    const busy = store.annotations.tracks.find((track) => track.id !== trackId && boxAt(track, frame))!;
    expect(() => store.apply({ type: 'merge-tracks', trackId, otherId: busy.id })).toThrowError(
      expect.objectContaining({ code: 'invalid-request', where: { field: 'otherId' } }),
    );
  });

  it('creates and deletes tracks, and sets keyframes, occlusion and out-of-view', () => {
    const created = store.apply({ type: 'create-track', frame: 3, box: { xtl: 5, ytl: 5, xbr: 40, ybr: 120 }, label: 'NM' });
    const id = created.tracks[0]!.id;
    expect(box(id, 3)).toMatchObject({ label: 'NM', xtl: 5 });
    expect(box(id, 2)).toBeNull();
    store.apply({ type: 'delete-track', trackId: id });
    expect(store.annotations.tracks.some((track) => track.id === id)).toBe(false);
    // A box drawn for a span lasts to its last frame, held still, and no further.
    const spanned = store.apply({ type: 'create-track', frame: 3, to: 27, box: { xtl: 5, ytl: 5, xbr: 40, ybr: 120 }, label: 'MW' }).tracks[0]!.id;
    expect(box(spanned, 27)).toMatchObject({ label: 'MW', xtl: 5 });
    expect(box(spanned, 28)).toBeNull();
    const toTheEnd = store.apply({ type: 'create-track', frame: 150, to: 159, box: { xtl: 5, ytl: 5, xbr: 40, ybr: 120 }, label: 'MW' }).tracks[0]!;
    expect(toTheEnd.shapes).toHaveLength(1);
    for (const trackId of [spanned, toTheEnd.id]) store.apply({ type: 'delete-track', trackId });
    // A whole track at once (a draft accepted): interpolated between its keyframes, ending after the last.
    const keyframes = [
      { frame: 10, xtl: 10, ytl: 20, xbr: 40, ybr: 120 },
      { frame: 20, xtl: 30, ytl: 20, xbr: 60, ybr: 120 },
    ];
    const result = store.apply({
      type: 'add-tracks',
      tracks: [
        { keyframes, label: 'ND' },
        { keyframes: [{ ...keyframes[0]!, frame: 159 }], label: 'MW' },
      ],
    });
    const [added, last] = result.tracks.map((track) => track.id);
    expect(result.undo).toBe('add 2 tracks');
    expect(box(added, 15)).toMatchObject({ label: 'ND', xtl: 20, xbr: 50, keyframe: false });
    expect([box(added, 9), box(added, 21)]).toEqual([null, null]);
    expect(box(last, 159)).toMatchObject({ label: 'MW' });
    // One edit: one undo takes both back.
    store.undo();
    expect(store.annotations.tracks.some((track) => track.id === added || track.id === last)).toBe(false);

    store.apply({ type: 'set-keyframe', trackId, frame, keyframe: true });
    expect(box()!.keyframe).toBe(true);
    // A new keyframe where the box was interpolated changes nothing you can see.
    expectSameBoxes(allBoxes(store.annotations), original);
    store.apply({ type: 'set-occluded', trackId, frame, occluded: !box()!.occluded });
    expect(box()!.occluded).not.toBe(box(trackId, frame - 1)!.occluded);
    store.apply({ type: 'set-outside', trackId, frame: frame + 1, outside: true });
    expect(box(trackId, frame + 1)).toBeNull();
    store.apply({ type: 'set-outside', trackId, frame: frame + 1, outside: false });
    expect(box(trackId, frame + 1)).not.toBeNull();
  });

  it.each([
    [{ type: 'move-box', trackId: 999, frame: 1, box: { xtl: 0, ytl: 0, xbr: 5, ybr: 5 } }, 'trackId', 'there is no track 999'],
    [{ type: 'create-track', frame: 10_000, box: { xtl: 0, ytl: 0, xbr: 5, ybr: 5 }, label: 'MW' }, 'frame', 'frame must be a whole number from 0 to 159'],
    [{ type: 'create-track', frame: 1, box: { xtl: 10, ytl: 10, xbr: 10, ybr: 50 }, label: 'MW' }, 'box', 'at least 1 pixel wide'],
    [
      {
        type: 'add-tracks',
        tracks: [
          { keyframes: [{ frame: 5, xtl: 0, ytl: 0, xbr: 5, ybr: 5 }], label: 'MW' },
          {
            keyframes: [
              { frame: 5, xtl: 0, ytl: 0, xbr: 5, ybr: 5 },
              { frame: 5, xtl: 0, ytl: 0, xbr: 5, ybr: 5 },
            ],
            label: 'MW',
          },
        ],
      },
      'tracks[1].keyframes[1].frame',
      'keyframes must be in frame order',
    ],
    [{ type: 'create-track', frame: 9, to: 8, box: { xtl: 0, ytl: 0, xbr: 5, ybr: 5 }, label: 'MW' }, 'to', '"to" must be a frame from 9'],
    [{ type: 'create-track', frame: 9, to: 160, box: { xtl: 0, ytl: 0, xbr: 5, ybr: 5 }, label: 'MW' }, 'to', 'to 159, got 160'],
    [
      { type: 'create-track', frame: 1, box: { xtl: 0, ytl: 0, xbr: 5, ybr: 5 }, label: 'helmet' },
      'label',
      '"helmet" is not one of the project\'s labels (MW, NM, ND)',
    ],
  ] as [Edit, string, string][])('refuses %j, naming the field', (edit, field, message) => {
    const before = allBoxes(store.annotations);
    expect(() => store.apply(edit)).toThrowError(
      expect.objectContaining({ code: 'invalid-request', where: { field }, message: expect.stringContaining(message) }),
    );
    expect(allBoxes(store.annotations)).toEqual(before);
  });

  it('undoes and redoes a series of edits exactly', () => {
    const label = box()!.label;
    const edits: Edit[] = [
      { type: 'move-box', trackId, frame, box: { xtl: 1, ytl: 2, xbr: 30, ybr: 90 } },
      { type: 'relabel-track', trackId, from: 0, to: frame, label: other(label) },
      { type: 'split-track', trackId, frame: frame + 1 },
      { type: 'delete-track', trackId },
    ];
    for (const edit of edits) store.apply(edit);
    const after = allBoxes(store.annotations);
    while (store.undo()) continue;
    expect(allBoxes(store.annotations)).toEqual(original);
    // Each redo says what undo would take back next: the edit it just did again.
    const undoNext: Array<string | null> = [];
    let redone;
    while ((redone = store.redo())) undoNext.push(redone.undo);
    expect(undoNext).toEqual([
      `move track ${trackId}'s box on frame ${frame}`,
      `label track ${trackId} ${other(label)} on frames 0-${frame}`,
      `split track ${trackId} at frame ${frame + 1}`,
      `delete track ${trackId}`,
    ]);
    expect(allBoxes(store.annotations)).toEqual(after);
    expect(store.redo()).toBeNull();
  });

  it('saves every edit within a second, keeping the previous file in history', async () => {
    store.apply({ type: 'move-box', trackId, frame, box: { xtl: 7, ytl: 8, xbr: 70, ybr: 180 } });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const saved = parseAnnotations(await readFile(join(folder, ANNOTATIONS_FILE), 'utf8'), 'annotations.json');
    expect(
      boxAt(
        saved.tracks.find((track) => track.id === trackId)!,
        frame,
      ),
    ).toMatchObject({ xtl: 7, ytl: 8 });
    const history = await readdir(join(folder, 'history'));
    expect(history).toHaveLength(1);
    expect(allBoxes(parseAnnotations(await readFile(join(folder, 'history', history[0]!), 'utf8'), 'x'))).toEqual(original);
  });

  it('says when a save fails, keeps the edit, and saves it once the disk is back', async () => {
    const states: string[] = [];
    const moved = await tempDir();
    await cp(join(inject('sampleProject'), ANNOTATIONS_FILE), join(moved, ANNOTATIONS_FILE));
    const fragile = (await AnnotationStore.load(moved, LABELS, (save) => states.push(save.state)))!;
    await rm(moved, { recursive: true });
    fragile.apply({ type: 'set-keyframe', trackId, frame, keyframe: true });
    await expect(fragile.flush()).rejects.toThrow();
    expect(states).toEqual(['saving', 'error']);
    await mkdir(moved);
    await fragile.flush();
    expect(states.at(-1)).toBe('saved');
    expect(parseAnnotations(await readFile(join(moved, ANNOTATIONS_FILE), 'utf8'), 'x').tracks.length).toBe(store.annotations.tracks.length);
  });

  it('names the field of an annotations file it cannot use', async () => {
    const broken = structuredClone(store.annotations) as ProjectAnnotations;
    broken.tracks[2]!.shapes[1]!.frame = broken.tracks[2]!.shapes[0]!.frame;
    const file = join(folder, ANNOTATIONS_FILE);
    await writeFile(file, JSON.stringify(broken));
    await expect(AnnotationStore.load(folder, LABELS)).rejects.toMatchObject({ code: 'invalid-project', where: { file, field: 'tracks[2].shapes[1].frame' } });
    await writeFile(file, '{\n"schema": 1,\n}');
    await expect(AnnotationStore.load(folder, LABELS)).rejects.toMatchObject({ where: { file, line: 3 } });
  });
});

describe('annotations through the API', () => {
  const tempDir = useTempDirs();

  it('keeps an edit made just before the same project is opened again', async () => {
    const project = await tempDir();
    await cp(inject('sampleProject'), project, { recursive: true });
    const workbench = testWorkbench(await tempDir());
    await workbench.openProject({ path: project });
    const track = unpackAnnotations((await workbench.annotations())!).tracks[0]!;
    const frame = track.shapes[0]!.frame;
    await workbench.editAnnotations({ edit: { type: 'move-box', trackId: track.id, frame, box: { xtl: 50, ytl: 10, xbr: 90, ybr: 120 } } });
    // What the window is sent follows every change, undo and redo included (packed once per change).
    const sent = async () => boxAt(unpackAnnotations((await workbench.annotations())!).tracks[0]!, frame)?.xtl;
    expect(await sent()).toBe(50);
    await workbench.undoEdit();
    expect(await sent()).toBe(boxAt(track, frame)!.xtl);
    await workbench.redoEdit();
    expect(await sent()).toBe(50);
    await workbench.openProject({ path: project });
    expect(boxAt(unpackAnnotations((await workbench.annotations())!).tracks[0]!, frame)).toMatchObject({ xtl: 50 });
  });

  it('checks dataset options from the window field by field', async () => {
    const project = await tempDir();
    await cp(inject('sampleProject'), project, { recursive: true });
    const workbench = testWorkbench(await tempDir());
    await workbench.openProject({ path: project });
    expect(await dispatch(workbench, 'planDataset', { options: { crop: 'face' } })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request', where: { field: 'options.crop' } },
    });
    expect(await dispatch(workbench, 'planDataset', { options: { stride: '2' } })).toMatchObject({ ok: false, error: { where: { field: 'options.stride' } } });
    expect(await dispatch(workbench, 'planDataset', { options: { colour: true } })).toMatchObject({ ok: false, error: { where: { field: 'options.colour' } } });
    expect(await dispatch(workbench, 'planDataset', { options: { stride: 0 } })).toMatchObject({ ok: false, error: { where: { field: 'options.stride' } } });
    expect(await dispatch(workbench, 'planDataset', { options: { stride: 100_000 } })).toMatchObject({
      ok: false,
      error: { where: { field: 'options.stride' }, message: expect.stringContaining("the clip's length") },
    });
    const plan = await dispatch(workbench, 'planDataset', { options: { stride: 4, gap: 10 } });
    expect(plan).toMatchObject({ ok: true, value: { labels: ['MW', 'NM', 'ND'] } });
  });

  it('never exports onto the project, a folder above it, or its own files', async () => {
    const project = await tempDir();
    await cp(inject('sampleProject'), project, { recursive: true });
    const workbench = testWorkbench(await tempDir());
    await workbench.openProject({ path: project });
    for (const out of [
      project,
      join(project, '..'),
      join(project, 'annotations.json'),
      join(project, 'media', 'walkway.mp4'),
      join(project, 'history', 'x.xml'),
    ]) {
      await expect(workbench.exportAnnotations({ format: 'voc', out, force: true })).rejects.toMatchObject({ code: 'forbidden-path', where: { field: 'out' } });
    }
    expect(await readdir(project)).toEqual(expect.arrayContaining(['annotations.json', 'project.json', 'media']));
  });

  it('edits, undoes and exports the open project’s annotations; refuses malformed edits', async () => {
    const project = await tempDir();
    await cp(inject('sampleProject'), project, { recursive: true });
    const workbench = testWorkbench(await tempDir());
    await workbench.openProject({ path: project });
    const annotations = unpackAnnotations((await workbench.annotations())!);
    const track = annotations.tracks[0]!;
    const first = track.shapes[0]!;
    expect(await dispatch(workbench, 'editAnnotations', { edit: { type: 'paint', trackId: track.id } })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request', where: { field: 'edit.type' } },
    });
    expect(await dispatch(workbench, 'editAnnotations', { edit: { type: 'delete-track', trackId: '7' } })).toMatchObject({
      ok: false,
      error: { where: { field: 'edit.trackId' } },
    });
    const label = first.label === 'MW' ? 'NM' : 'MW';
    const result = await dispatch(workbench, 'editAnnotations', { edit: { type: 'relabel-box', trackId: track.id, frame: first.frame, label } });
    const relabelled = `label track ${track.id} ${label} on frame ${first.frame}`;
    expect(result).toMatchObject({ ok: true, value: { undo: relabelled, redo: null, tracks: [{ id: track.id }] } });
    expect(await workbench.undoEdit()).toMatchObject({ undo: null, redo: relabelled });
    const report = await workbench.exportAnnotations({ format: 'cvat-images', out: join(project, 'export.xml') });
    expect(report).toMatchObject({ format: 'cvat-images', frames: 160 });
    // The undo autosaves moments later: let that land before the folder is removed.
    await workbench.shutdown();
  });
});
