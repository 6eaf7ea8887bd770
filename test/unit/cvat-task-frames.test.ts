// CVAT tasks made from part of a video (start_frame, stop_frame, frame_filter step=N), as CVAT exports
// them: boxes numbered by the video's frames, with polygons, polylines, points and skeletons around them.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnnotationFormat, ImportReport, ProjectAnnotations } from '../../src/shared/annotations';
import { DEFAULT_LABEL_MAPPING, DEFAULT_LABELS, PROJECT_SCHEMA, type ProjectSettings } from '../../src/shared/project';
import { exportAnnotations } from '../../src/core/annotations/export-annotations';
import { importAnnotations } from '../../src/core/annotations/import-annotations';
import { parseAnnotations } from '../../src/core/project/annotations-file';
import { materialize } from '../../src/shared/keyframes';
import { useTempDirs } from '../support/temp-dir';

const fixtures = join(__dirname, '..', 'fixtures', 'cvat');
/** CVAT for video, a job of task frames 10-19 step 3 (4 frames), with tracks of other shapes and an unknown label. */
const video = join(fixtures, 'video-task-step3.xml');
/** CVAT for images, task frames 10-20 step 3 (10, 13, 16, 19), with other shapes on the images. */
const images = join(fixtures, 'images-task-step3.xml');

function settingsFor(mediaFrames: number | null): ProjectSettings {
  return {
    schema: PROJECT_SCHEMA,
    name: 'walkway',
    labels: DEFAULT_LABELS.slice(),
    labelMapping: { ...DEFAULT_LABEL_MAPPING },
    media: mediaFrames === null ? null : { kind: 'video', path: 'walkway.mp4', fps: 25, frameCount: mediaFrames, width: 640, height: 360 },
  };
}

/** Every box of every frame, as comparable text. */
function boxesOf(annotations: ProjectAnnotations): string[] {
  return materialize(annotations, ['MW', 'NM', 'ND'])
    .tracks.flatMap((track) => track.boxes.map((box) => `${box.frame} ${track.id} ${box.label} ${box.occluded} ${box.xtl} ${box.xbr}`))
    .sort();
}

const notes = (report: ImportReport) => report.problems.filter((problem) => problem.message.startsWith('CVAT task frames')).map((problem) => problem.message);
const errors = (report: ImportReport) => report.problems.filter((problem) => problem.severity === 'error');
/** The frame numbers a CVAT file gives its boxes (video) or images (images). */
const fileFrames = (xml: string, attribute: 'frame' | 'id') => [
  ...new Set([...xml.matchAll(new RegExp(`<(?:box|image) ${attribute}="(\\d+)"`, 'g'))].map((m) => Number(m[1]))),
];

describe('CVAT tasks made from part of a video', () => {
  const tempDir = useTempDirs();

  async function roundTrip(first: ProjectAnnotations, format: AnnotationFormat, settings: ProjectSettings) {
    const out = join(await tempDir(), 'out.xml');
    const exported = await exportAnnotations(first, format, out, { name: 'walkway', labels: DEFAULT_LABELS.slice() });
    const xml = await readFile(out, 'utf8');
    const second = await importAnnotations(out, { settings });
    return { exported, xml, second };
  }

  it.each([
    ['the whole video', 40, 'video', [10, 16], [13, 19], 19, "CVAT task frames 10-19 step 3 taken as the video's own frames 10, 13, 16, 19"],
    ["only the task's frames", 4, 'task', [0, 2], [1, 3], 3, "CVAT task frames 10-19 step 3 mapped to the project's frames 0-3"],
  ] as const)(
    'puts every CVAT for video box on its media frame when the media is %s',
    async (_name, mediaFrames, projectFrames, person, helmet, last, note) => {
      const { annotations, report } = await importAnnotations(video, { settings: settingsFor(mediaFrames) });
      expect(errors(report)).toEqual([]);
      expect(notes(report)).toEqual([expect.stringContaining(note)]);
      expect(annotations.frameCount).toBe(mediaFrames);
      expect(annotations.extra?.cvatTask).toEqual({ start: 10, stop: 19, step: 3, projectFrames });
      const byId = new Map(annotations.tracks.map((track) => [track.id, track.shapes.map((shape) => [shape.frame, shape.outside])]));
      // The person's track, open at the task's end, ends there: the rest of a longer video is not the task's.
      const ended = last + 1 < mediaFrames ? [[last + 1, true]] : [];
      expect(byId.get(7)).toEqual([...person.map((frame) => [frame, false]), ...ended]);
      expect(Math.max(...boxesOf(annotations).map((box) => Number(box.split(' ')[0])))).toBe(last);
      // The helmet track (no track_id, an unknown label) leaves the view on the task's last frame.
      expect(byId.get(1)).toEqual([
        [helmet[0], false],
        [helmet[1], true],
      ]);
      expect(report.unknownLabels).toEqual({ helmet: helmet[1] - helmet[0] });
      // Frame 13 (the task's second) lies halfway between the keyframes, as CVAT interpolates it.
      expect(boxesOf(annotations)).toContain(`${helmet[0]} 7 MW false 115 155`);
    },
  );

  it.each([
    ['the whole video', 40],
    ["only the task's frames", 4],
  ])('exports CVAT for video with the same start, stop and step and re-imports it unchanged when the media is %s', async (_name, mediaFrames) => {
    const settings = settingsFor(mediaFrames);
    const first = await importAnnotations(video, { settings });
    const { exported, xml, second } = await roundTrip(first.annotations, 'cvat-video', settings);
    expect(exported.notKept).toEqual([]);
    expect(xml).toContain('<start_frame>10</start_frame>');
    expect(xml).toContain('<stop_frame>19</stop_frame>');
    expect(xml).toContain('<frame_filter>step=3</frame_filter>');
    expect(xml).toContain('<size>4</size>');
    expect(fileFrames(xml, 'frame').sort((a, b) => a - b)).toEqual([10, 13, 16, 19]);
    // The report counts what was written: the task's 4 frames and the boxes in view on them, whatever the media's length.
    expect(exported).toMatchObject({ frames: 4, boxes: [...xml.matchAll(/<box [^>]*outside="0"/g)].length, tracks: 2 });
    expect(second.annotations).toEqual(first.annotations);
    expect(notes(second.report)).toEqual(notes(first.report));
  });

  it("writes a keyframe wherever CVAT needs one to give back the project's boxes on the task's frames", async () => {
    const settings = settingsFor(40);
    const first = await importAnnotations(video, { settings });
    const shape = (frame: number, xtl: number, outside = false) => ({
      frame,
      xtl,
      ytl: 30,
      xbr: xtl + 40,
      ybr: 150,
      label: 'NM',
      occluded: false,
      outside,
      zOrder: 0,
      attributes: {},
    });
    // Keyframes between the task's frames 10, 13, 16, 19: one held until it leaves the view, one moving.
    first.annotations.tracks.push({ id: 20, shapes: [shape(11, 5), shape(40, 5, true)] }, { id: 21, shapes: [shape(11, 100), shape(17, 160), shape(18, 150)] });
    const { exported, xml, second } = await roundTrip(first.annotations, 'cvat-video', settings);
    expect(exported.notKept).toEqual([expect.stringContaining('4 keyframes on frames the CVAT task (frames 10-19 step 3) does not hold')]);
    const keyframes = (track: number) =>
      [...xml.matchAll(new RegExp(`<box frame="(\\d+)" keyframe="1"[^>]*>\\s*<attribute name="track_id">${track}<`, 'g'))].map((m) => Number(m[1]));
    // The held box needs its first frame only; the moving one each frame where its line bends between the task's frames.
    expect(keyframes(20)).toEqual([13]);
    expect(keyframes(21)).toEqual([13, 16, 19]);
    const onTask = (annotations: ProjectAnnotations) => boxesOf(annotations).filter((box) => [10, 13, 16, 19].includes(Number(box.split(' ')[0])));
    expect(onTask(second.annotations)).toEqual(onTask(first.annotations));
    expect(second.report.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
  });

  it('keeps polygons, polylines, points and skeletons through a CVAT for video import and export, with their labels', async () => {
    const settings = settingsFor(4);
    const first = await importAnnotations(video, { settings });
    expect(first.report.problems).toContainEqual(
      expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/^2 <polygon>, 1 <polyline>, 1 <points>, 2 <skeleton> shapes are kept/) }),
    );
    const { xml } = await roundTrip(first.annotations, 'cvat-video', settings);
    expect(xml).toContain('points="110.00,100.00;130.00,100.00;120.00,115.50"');
    expect(xml).toMatch(/<skeleton frame="16" keyframe="1" z_order="0">\s*<points label="left"[^>]*points="140.00,70.00"/);
    // The kept shapes keep the video's frame numbers, as the boxes are written: one task, one numbering.
    expect(xml).toMatch(/<polyline frame="13"/);
    // Their labels are declared, a skeleton's points with it, so CVAT takes the file back.
    for (const name of ['mouth', 'path', 'eyes', 'face', 'left', 'right']) expect(xml).toContain(`<name>${name}</name>`);
    expect(xml).toContain('<parent>face</parent>');
    // Four box tracks (a person split at a label change would be more), then the kept tracks: no id twice.
    const ids = [...xml.matchAll(/<track id="(\d+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    // Another format cannot hold them, and says so.
    const voc = await exportAnnotations(first.annotations, 'voc', join(await tempDir(), 'voc'), { name: 'x', labels: DEFAULT_LABELS.slice() });
    expect(voc.notKept).toContainEqual(expect.stringContaining('4 CVAT tracks of other shapes'));
  });

  it.each([
    ['the whole video', 40, [10, 13, 16, 19], 'frame_000013'],
    ["only the task's frames", 4, [0, 1, 2, 3], 'frame_000013'],
  ])('puts CVAT for images ids on their media frames when the media is %s, and exports them back', async (_name, mediaFrames, frames, name) => {
    const settings = settingsFor(mediaFrames);
    const first = await importAnnotations(images, { settings });
    expect(errors(first.report)).toEqual([]);
    const person = first.annotations.tracks.find((track) => track.id === 7)!;
    expect(person.shapes.filter((shape) => !shape.outside).map((shape) => shape.frame)).toEqual(frames.slice(0, 3));
    expect(first.annotations.frameNames[frames[1]!]).toBe(name);
    expect(Object.keys(first.annotations.extra?.cvatShapes?.frames ?? {})).toEqual(frames.slice(0, 3).map(String));
    const { xml, second } = await roundTrip(first.annotations, 'cvat-images', settings);
    expect(fileFrames(xml, 'id')).toEqual([10, 13, 16, 19]);
    expect(xml).toContain('<stop_frame>20</stop_frame>');
    expect(xml).toContain('<frame_filter>step=3</frame_filter>');
    expect(xml).toMatch(/<image id="16" name="frame_000016"[^>]*>[\s\S]*?<skeleton label="face"[\s\S]*?<\/image>/);
    expect(second.annotations).toEqual(first.annotations);
  });

  it('counts, in what an export to CVAT for images does not keep, only the boxes and keyframes on the task’s frames it wrote', async () => {
    const settings = settingsFor(40);
    const first = await importAnnotations(video, { settings });
    const { exported, xml } = await roundTrip(first.annotations, 'cvat-images', settings);
    const boxes = [...xml.matchAll(/<box /g)].length;
    const keyframes = first.annotations.tracks.flatMap((track) => track.shapes).filter((shape) => !shape.outside && [10, 13, 16, 19].includes(shape.frame));
    expect(exported.boxes).toBe(boxes);
    expect(exported.notKept).toContainEqual(
      `which of the ${boxes} boxes are keyframes (${keyframes.length}) and which are interpolated: every box is written as set by hand`,
    );
  });

  it('says what it loses of a keyframe once: those off the task’s frames are not written at all', async () => {
    const settings = settingsFor(40);
    const { annotations } = await importAnnotations(video, { settings });
    const person = annotations.tracks.find((track) => track.id === 7)!;
    // A VOC flag on the task's frame 10, and another on frame 11, which the task (step 3) does not hold.
    person.shapes[0] = { ...person.shapes[0]!, truncated: true };
    person.shapes.splice(1, 0, { ...person.shapes[0]!, frame: 11, truncated: false, difficult: true });
    const { exported } = await roundTrip(annotations, 'cvat-images', settings);
    expect(exported.notKept).toContain('1 keyframes’ Pascal VOC <truncated> flag');
    expect(exported.notKept.join('\n')).not.toContain('<difficult>');
    expect(exported.notKept).toContainEqual(expect.stringMatching(/^1 keyframes on frames the CVAT task \(frames .*\) does not hold/));
  });

  it("takes the task's frames as the project's when the media fits neither reading, or there is none, and says why", async () => {
    const ambiguous = await importAnnotations(video, { settings: settingsFor(12) });
    expect(notes(ambiguous.report)).toEqual([expect.stringMatching(/mapped to the project's frames 0-3 \(.*ambiguous.*every box lands inside the clip\)/)]);
    // The media goes on past the task's last frame, 3: the person, open there, leaves the view on frame 4.
    expect(ambiguous.annotations.tracks.find((track) => track.id === 7)!.shapes.map((shape) => [shape.frame, shape.outside])).toEqual([
      [0, false],
      [2, false],
      [4, true],
    ]);
    expect(Math.max(...boxesOf(ambiguous.annotations).map((box) => Number(box.split(' ')[0])))).toBe(3);
    const none = await importAnnotations(images, { settings: null });
    expect(notes(none.report)).toEqual([expect.stringContaining("mapped to the project's frames 0-3 (the project has no media")]);
    expect(none.annotations.frameCount).toBe(4);
  });

  it('refuses a box or image outside even the mapped frames, naming the frame and line, and imports the rest', async () => {
    const folder = await tempDir();
    const source = await readFile(video, 'utf8');
    const stray = (frame: number) =>
      `<box frame="${frame}" keyframe="1" outside="0" occluded="0" xtl="1" ytl="1" xbr="20" ybr="60" z_order="0"><attribute name="track_id">7</attribute></box>`;
    const broken = source.replace('<track id="0" label="with_mask" source="manual">', `$&\n    ${stray(25)}\n    ${stray(11)}`);
    const lineOf = (text: string) => broken.split('\n').findIndex((line) => line.includes(text)) + 1;
    const file = join(folder, 'video.xml');
    await writeFile(file, broken);
    for (const mediaFrames of [40, 4]) {
      const { annotations, report } = await importAnnotations(file, { settings: settingsFor(mediaFrames) });
      expect(errors(report)).toEqual([
        expect.objectContaining({
          file,
          line: lineOf('frame="25"'),
          message: "a box is on frame 25, not one of the CVAT task's frames 10-19 step 3; it is skipped",
        }),
        expect.objectContaining({
          file,
          line: lineOf('frame="11"'),
          message: "a box is on frame 11, not one of the CVAT task's frames 10-19 step 3; it is skipped",
        }),
      ]);
      expect(annotations.tracks.find((track) => track.id === 7)!.shapes.filter((shape) => !shape.outside)).toHaveLength(2);
    }
    const imagesFile = join(folder, 'images.xml');
    await writeFile(imagesFile, (await readFile(images, 'utf8')).replace('<image id="19"', '<image id="22"'));
    const { report } = await importAnnotations(imagesFile, { settings: settingsFor(40) });
    expect(errors(report)).toEqual([
      expect.objectContaining({ file: imagesFile, message: expect.stringContaining('<image id="22"> is on frame 22, not one of') }),
    ]);
  });

  it('reports a frame_filter it cannot read by line, and takes every frame from the start frame', async () => {
    const file = join(await tempDir(), 'video.xml');
    const source = (await readFile(video, 'utf8')).replace('<frame_filter>step=3</frame_filter>', '<frame_filter>every third</frame_filter>');
    await writeFile(file, source);
    const { report, annotations } = await importAnnotations(file, { settings: settingsFor(40) });
    const line = source.split('\n').findIndex((text) => text.includes('<frame_filter>')) + 1;
    expect(errors(report)).toEqual([expect.objectContaining({ file, line, message: expect.stringContaining('<frame_filter> "every third" is not "step=N"') })]);
    expect(annotations.extra?.cvatTask).toEqual({ start: 10, stop: 19, step: 1, projectFrames: 'video' });
  });

  it('writes what the project can open', async () => {
    for (const [source, mediaFrames] of [
      [video, 40],
      [images, 4],
    ] as const) {
      const { annotations } = await importAnnotations(source, { settings: settingsFor(mediaFrames) });
      expect(parseAnnotations(JSON.stringify(annotations), 'annotations.json')).toEqual(annotations);
    }
  });
});
