import { cp, mkdir, open, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { ImportReport, ProjectAnnotations } from '../../src/shared/annotations';
import { DEFAULT_LABELS, type ProjectSettings } from '../../src/shared/project';
import { exportAnnotations } from '../../src/core/annotations/export-annotations';
import { besidePath } from '../../src/core/fs/replace';
import { importAnnotations } from '../../src/core/annotations/import-annotations';
import { materialize } from '../../src/shared/keyframes';
import { importIntoProject } from '../../src/core/project/import-into-project';
import { readProjectSettings } from '../../src/core/project/project-settings';
import { useTempDirs } from '../support/temp-dir';
import { readAnnotationsFile } from '../support/annotations-file';

const project = inject('sampleProject');
const voc = join(project, 'annotations', 'voc');
const cvatVideo = join(project, 'annotations', 'cvat-video.xml');
const cvatImages = join(project, 'annotations', 'cvat-images.xml');
const labels = ['MW', 'NM', 'ND'];
let settings: ProjectSettings;

/** Every box of every frame, as comparable text: what a user sees, whatever the format. */
function boxesOf(annotations: ProjectAnnotations): string[] {
  return materialize(annotations, labels)
    .tracks.flatMap((track) => track.boxes.map((box) => `${box.frame} ${track.id} ${box.label} ${box.occluded} ${box.xtl} ${box.ytl} ${box.xbr} ${box.ybr}`))
    .sort();
}

const errors = (report: ImportReport) => report.problems.filter((problem) => problem.severity === 'error');

describe('importing and exporting annotations', () => {
  const tempDir = useTempDirs();
  beforeAll(async () => {
    settings = (await readProjectSettings(project))!;
  });

  it('reads the same people, boxes and labels from all three formats of the sample', async () => {
    const fromVoc = await importAnnotations(voc, { settings });
    const fromVideo = await importAnnotations(cvatVideo, { settings });
    const fromImages = await importAnnotations(cvatImages, { settings });
    expect(fromVoc.report).toMatchObject({ format: 'voc', frames: 160, tracksFormed: 0, unknownLabels: {} });
    expect(fromVideo.report.format).toBe('cvat-video');
    expect(fromImages.report.format).toBe('cvat-images');
    for (const { report } of [fromVoc, fromVideo, fromImages]) expect(errors(report)).toEqual([]);
    const sample = JSON.parse(await readFile(join(project, 'sample.json'), 'utf8')) as { people: number; boxes: number; labels: Record<string, number> };
    expect(fromVoc.report).toMatchObject({ tracks: sample.people, boxes: sample.boxes, labels: sample.labels });
    expect(boxesOf(fromVideo.annotations)).toEqual(boxesOf(fromVoc.annotations));
    expect(boxesOf(fromImages.annotations)).toEqual(boxesOf(fromVoc.annotations));
    // CVAT for video keeps only keyframes: far fewer than boxes.
    const keyframes = fromVideo.annotations.tracks.reduce((sum, track) => sum + track.shapes.length, 0);
    expect(keyframes).toBeLessThan(sample.boxes / 2);
  });

  it.each([
    ['voc', voc],
    ['cvat-video', cvatVideo],
    ['cvat-images', cvatImages],
  ] as const)('gives back the same annotations after an export to %s and a new import', async (format, source) => {
    const first = await importAnnotations(source, { settings });
    const out = join(await tempDir(), 'out');
    const report = await exportAnnotations(first.annotations, format, out, { name: 'walkway', labels: DEFAULT_LABELS.slice() });
    expect(report).toMatchObject({ format, frames: 160, tracks: first.report.tracks, boxes: first.report.boxes });
    const second = await importAnnotations(out, { settings });
    expect(second.annotations).toEqual(first.annotations);
    // And the same text: every box with the same flags and drawing order (CVAT's <meta> is written afresh;
    // a VOC file's objects come in the order of their people, as VOC has no drawing order).
    const vocObjects = (text: string) => [text.replace(/<object>[\s\S]*?<\/object>\s*/g, ''), ...(text.match(/<object>[\s\S]*?<\/object>/g) ?? []).sort()];
    const boxesText = async (path: string) =>
      format === 'voc'
        ? await Promise.all((await readdir(path)).sort().map(async (name) => vocObjects(await readFile(join(path, name), 'utf8'))))
        : (await readFile(path, 'utf8')).split('</meta>')[1];
    expect(await boxesText(out)).toEqual(await boxesText(source));
  });

  it('says what a format cannot hold when exporting to another', async () => {
    const { annotations } = await importAnnotations(cvatVideo, { settings });
    const report = await exportAnnotations(annotations, 'voc', join(await tempDir(), 'voc'), { name: 'walkway', labels: DEFAULT_LABELS.slice() });
    expect(report.notKept.join('\n')).toMatch(/which of the \d+ boxes are keyframes/);
    expect(report.notKept.join('\n')).toMatch(/z_order/);
    const back = await exportAnnotations(annotations, 'cvat-video', join(await tempDir(), 'video.xml'), { name: 'walkway', labels: DEFAULT_LABELS.slice() });
    expect(back.notKept).toEqual([]);
  });

  it('keeps elements and attributes it does not know through an import and export', async () => {
    const folder = await tempDir();
    await writeFile(
      join(folder, 'img_0001.xml'),
      `<annotation><folder>shots</folder><filename>img_0001.jpg</filename><owner><name>lab 4</name></owner>
        <size><width>640</width><height>360</height><depth>3</depth></size>
        <object><name>with_mask</name><pose>Left</pose><truncated>0</truncated><difficult>1</difficult>
          <bndbox><xmin>10</xmin><ymin>20</ymin><xmax>60</xmax><ymax>140</ymax></bndbox>
          <attributes><attribute><name>gaze</name><value>down</value></attribute></attributes>
          <confidence score="0.9">high</confidence></object></annotation>`,
    );
    // No video in the project: the folder's one file is the whole clip.
    const still = { ...settings, media: null };
    const first = await importAnnotations(folder, { settings: still });
    const shape = first.annotations.tracks[0]!.shapes[0]!;
    expect(shape).toMatchObject({
      label: 'MW',
      pose: 'Left',
      difficult: true,
      attributes: { gaze: 'down' },
      extra: { elements: { confidence: { '#text': 'high', $: { score: '0.9' } } } },
    });
    expect(first.report.mapped).toEqual({ with_mask: 'MW' });
    const out = join(await tempDir(), 'voc');
    await exportAnnotations(first.annotations, 'voc', out, { name: 'x', labels: DEFAULT_LABELS.slice() });
    const written = await readFile(join(out, 'img_0001.xml'), 'utf8');
    expect(written).toContain('<confidence score="0.9">high</confidence>');
    expect(written).toContain('<folder>shots</folder>');
    expect(written).toMatch(/<owner>\s*<name>lab 4<\/name>\s*<\/owner>/);
    expect((await importAnnotations(out, { settings: still })).annotations).toEqual(first.annotations);
  });

  it('writes a VOC <occluded> element back where the file had one, with the box’s flag', async () => {
    const folder = await tempDir();
    const object = (occluded: string) =>
      `<object><name>MW</name>${occluded}<bndbox><xmin>10</xmin><ymin>20</ymin><xmax>60</xmax><ymax>140</ymax></bndbox></object>`;
    await writeFile(
      join(folder, 'img_0001.xml'),
      `<annotation><filename>img_0001.jpg</filename><size><width>640</width><height>360</height></size>${object('<occluded>1</occluded>')}${object('')}</annotation>`,
    );
    const still = { ...settings, media: null };
    const { annotations } = await importAnnotations(folder, { settings: still });
    const out = join(await tempDir(), 'voc');
    await exportAnnotations(annotations, 'voc', out, { name: 'x', labels: DEFAULT_LABELS.slice() });
    expect((await readFile(join(out, 'img_0001.xml'), 'utf8')).match(/<occluded>.*?<\/occluded>/g)).toEqual(['<occluded>1</occluded>']);
    annotations.tracks.find((track) => track.shapes[0]!.occluded)!.shapes[0]!.occluded = false;
    await exportAnnotations(annotations, 'voc', out, { name: 'x', labels: DEFAULT_LABELS.slice(), force: true });
    expect((await readFile(join(out, 'img_0001.xml'), 'utf8')).match(/<occluded>.*?<\/occluded>/g)).toEqual(['<occluded>0</occluded>']);
  });

  it('keeps CVAT attributes of tracks and boxes through a round trip', async () => {
    const file = join(await tempDir(), 'cvat.xml');
    await writeFile(
      file,
      `<annotations><version>1.1</version><meta><task><size>10</size><original_size><width>640</width><height>360</height></original_size></task></meta>
        <track id="5" label="NM" source="auto" group_id="2">
          <box frame="2" keyframe="1" outside="0" occluded="1" xtl="10" ytl="10" xbr="50" ybr="130" z_order="1" reviewer="ann"><attribute name="gaze">left</attribute></box>
          <box frame="6" keyframe="1" outside="0" occluded="0" xtl="30" ytl="10" xbr="70" ybr="130" z_order="1"></box>
          <box frame="8" keyframe="1" outside="1" occluded="0" xtl="30" ytl="10" xbr="70" ybr="130" z_order="1"></box>
        </track></annotations>`,
    );
    const first = await importAnnotations(file, { settings: null });
    expect(first.annotations.frameCount).toBe(10);
    expect(first.annotations.tracks[0]).toMatchObject({
      extra: { xmlAttributes: { source: 'auto', group_id: '2' } },
      shapes: [
        { frame: 2, occluded: true, attributes: { gaze: 'left' }, extra: { xmlAttributes: { reviewer: 'ann' } } },
        { frame: 6 },
        { frame: 8, outside: true },
      ],
    });
    // Interpolated as CVAT does: frame 4 is halfway between the keyframes at 2 and 6.
    expect(boxesOf(first.annotations)).toContain('4 5 NM true 20 10 60 130');
    const out = join(await tempDir(), 'again.xml');
    await exportAnnotations(first.annotations, 'cvat-video', out, { name: 'x', labels: DEFAULT_LABELS.slice() });
    const second = await importAnnotations(out, { settings: null });
    expect(boxesOf(second.annotations)).toEqual(boxesOf(first.annotations));
    expect(second.annotations.tracks[0]!.extra).toEqual(first.annotations.tracks[0]!.extra);
    expect(second.annotations.tracks[0]!.shapes[0]!.extra).toEqual({ xmlAttributes: { reviewer: 'ann' } });
  });

  it('links boxes that carry no identity into tracks of one person each', async () => {
    const folder = await tempDir();
    for (const name of await readdir(voc)) {
      const content = await readFile(join(voc, name), 'utf8');
      await writeFile(join(folder, name), content.replace(/<attribute>\s*<name>track_id<\/name>\s*<value>(\d+)<\/value>\s*<\/attribute>/g, ''));
    }
    const truth = await importAnnotations(voc, { settings });
    const linked = await importAnnotations(folder, { settings });
    expect(linked.report.tracksFormed).toBe(linked.report.tracks);
    expect(linked.report.boxes).toBe(truth.report.boxes);
    // Each formed track follows one person: its boxes are (nearly all) one true track's boxes.
    const owner = new Map(
      boxesOf(truth.annotations).map((line) => {
        const [frame, id, , , ...box] = line.split(' ');
        return [`${frame} ${box.join(' ')}`, id];
      }),
    );
    let pure = 0;
    for (const track of materialize(linked.annotations, labels).tracks) {
      const owners = track.boxes.map((box) => owner.get(`${box.frame} ${box.xtl} ${box.ytl} ${box.xbr} ${box.ybr}`));
      const counts = new Map<string | undefined, number>();
      for (const id of owners) counts.set(id, (counts.get(id) ?? 0) + 1);
      pure += Math.max(...counts.values());
    }
    expect(pure / truth.report.boxes).toBeGreaterThan(0.95);
    expect(linked.report.tracks).toBeLessThan(truth.report.tracks * 2);
  });

  it('reports broken input with file and line, and still imports the rest', async () => {
    const folder = await tempDir();
    await cp(voc, folder, { recursive: true });
    const files = (await readdir(folder)).sort();
    await writeFile(join(folder, files[3]!), '<annotation>\n<object>\n<name>MW</name>\n</annotation>');
    const fifth = join(folder, files[5]!);
    const content = await readFile(fifth, 'utf8');
    const extraObjects = ['with_mask', 'helmet']
      .map((label, i) => `<object><name>${label}</name><bndbox><xmin>${10 + i}</xmin><ymin>10</ymin><xmax>40</xmax><ymax>90</ymax></bndbox></object>`)
      .join('');
    await writeFile(fifth, content.replace(/<xmin>[\d.]+<\/xmin>/, '<xmin>9000</xmin>').replace('</annotation>', `${extraObjects}</annotation>`));
    const { report } = await importAnnotations(folder, { settings });
    const problems = report.problems.map((problem) => `${problem.severity} ${problem.file?.split('/').pop()}:${problem.line} ${problem.message}`);
    expect(problems.some((line) => line.startsWith(`error ${files[3]}:4 `) && line.includes('the XML is malformed'))).toBe(true);
    expect(problems.some((line) => line.startsWith(`error ${files[5]}:`) && /xmax <= xmin|outside the 640x360 frame/.test(line))).toBe(true);
    expect(report.unknownLabels).toEqual({ helmet: 1 });
    expect(report.mapped).toEqual({ with_mask: 'MW' });
    const helmetLine = content.slice(0, content.indexOf('</annotation>')).split('\n').length;
    expect(problems).toContain(
      `warning ${files[5]}:${helmetLine} 1 boxes carry the label "helmet" (the first here), which is not in the project's label set; they keep it until you map or relabel them`,
    );
    expect(report.frames).toBe(160);
    expect(report.boxes).toBeGreaterThan(400);
  });

  it.each([
    ['an empty folder', async (dir: string) => dir, /holds no \.xml files/],
    ['a missing path', async (dir: string) => join(dir, 'nope'), /There is nothing at/],
    [
      'malformed CVAT XML',
      async (dir: string) => (await writeFile(join(dir, 'a.xml'), '<annotations>\n  <track id="1">\n</annotations>'), join(dir, 'a.xml')),
      /the XML is malformed/,
    ],
    [
      'XML that is not CVAT',
      async (dir: string) => (await writeFile(join(dir, 'b.xml'), '<annotations><version>1.1</version></annotations>'), join(dir, 'b.xml')),
      /neither <track> nor <image>/,
    ],
  ])('refuses %s with a clear error', async (_name, make, message) => {
    const source = await make(await tempDir());
    await expect(importAnnotations(source, { settings })).rejects.toThrow(message);
  });

  it('refuses a CVAT file given as the other CVAT format, naming the one it is', async () => {
    const folder = await tempDir();
    const video = join(folder, 'video.xml');
    await writeFile(
      video,
      '<annotations><version>1.1</version>\n<track id="0" label="MW"><box frame="0" keyframe="1" outside="0" occluded="0" xtl="1" ytl="1" xbr="9" ybr="9" z_order="0"/></track></annotations>',
    );
    await expect(importAnnotations(video, { settings, format: 'cvat-images' })).rejects.toMatchObject({
      message: `${video} is a CVAT for video file (it has <track> elements), not CVAT for images: give "format" cvat-video, or leave it out`,
      where: { file: video, field: 'format' },
    });
    const images = join(folder, 'images.xml');
    await writeFile(images, '<annotations><version>1.1</version>\n<image id="0" name="a.png" width="10" height="10"></image></annotations>');
    await expect(importAnnotations(images, { settings, format: 'cvat-video' })).rejects.toMatchObject({
      message: expect.stringContaining('is a CVAT for images file (it has <image> elements), not CVAT for video'),
    });
  });

  it('says what gives a CVAT for video file its frame size when the file does not', async () => {
    const file = join(await tempDir(), 'no-size.xml');
    await writeFile(
      file,
      '<annotations><version>1.1</version>\n<track id="0" label="MW"><box frame="0" keyframe="1" outside="0" occluded="0" xtl="1" ytl="1" xbr="9" ybr="9" z_order="0"/></track></annotations>',
    );
    await expect(importAnnotations(file, { settings: null })).rejects.toThrow(
      `${file} gives no <original_size>, and there is no project video to take the frame size from: give the project that has the video`,
    );
  });

  it('names the line of a malformed CVAT file', async () => {
    const file = join(await tempDir(), 'a.xml');
    await writeFile(file, '<annotations>\n  <track id="1">\n</annotations>');
    await expect(importAnnotations(file, { settings })).rejects.toMatchObject({ code: 'invalid-annotations', where: { file, line: 3 } });
  });

  it('reports boxes beyond the video, duplicate track ids and bad boxes in CVAT, importing the rest', async () => {
    const file = join(await tempDir(), 'v.xml');
    await writeFile(
      file,
      `<annotations><version>1.1</version><meta><task><size>160</size><original_size><width>640</width><height>360</height></original_size></task></meta>
<track id="1" label="MW"><box frame="0" keyframe="1" outside="0" occluded="0" xtl="1" ytl="1" xbr="20" ybr="60" z_order="0"/></track>
<track id="1" label="NM"><box frame="3" keyframe="1" outside="0" occluded="0" xtl="50" ytl="1" xbr="40" ybr="60" z_order="0"/><box frame="4" keyframe="1" outside="0" occluded="0" xtl="50" ytl="1" xbr="80" ybr="60" z_order="0"/></track>
<track id="2" label="ND"><box frame="170" keyframe="1" outside="0" occluded="0" xtl="1" ytl="1" xbr="20" ybr="60" z_order="0"/></track>
</annotations>`,
    );
    const { report } = await importAnnotations(file, { settings });
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ severity: 'warning', line: 3, message: expect.stringContaining('track id 1 is used twice') }),
        expect.objectContaining({ severity: 'error', line: 3, message: expect.stringContaining('xmax <= xmin') }),
        expect.objectContaining({ severity: 'error', line: 4, message: expect.stringContaining('frame 170, outside the clip') }),
      ]),
    );
    expect(report.tracks).toBe(2);
  });

  it('names the line of the first CVAT box of each label the project does not have', async () => {
    const file = join(await tempDir(), 'v.xml');
    await writeFile(
      file,
      `<annotations><meta><task><size>10</size><original_size><width>640</width><height>360</height></original_size></task></meta>
<track id="1" label="MW"><box frame="0" keyframe="1" outside="0" occluded="0" xtl="1" ytl="1" xbr="20" ybr="60"/></track>
<track id="2" label="Helmet">
<box frame="3" keyframe="1" outside="0" occluded="0" xtl="1" ytl="1" xbr="20" ybr="60"/></track></annotations>`,
    );
    const { report } = await importAnnotations(file, { settings });
    expect(report.problems).toContainEqual(
      expect.objectContaining({ file, line: 4, message: expect.stringContaining('157 boxes carry the label "Helmet" (the first here)') }),
    );
  });

  it('keeps a CVAT box between keyframes whose flags or attributes differ from those held, as a keyframe, and says so', async () => {
    const file = join(await tempDir(), 'edited.xml');
    const box = (frame: number, keyframe: number, occluded: number, quality: string) =>
      `<box frame="${frame}" keyframe="${keyframe}" outside="0" occluded="${occluded}" xtl="10" ytl="10" xbr="50" ybr="90" z_order="0"><attribute name="quality">${quality}</attribute></box>`;
    await writeFile(
      file,
      `<annotations><meta><task><size>10</size><original_size><width>640</width><height>360</height></original_size></task></meta>
<track id="1" label="MW">${box(0, 1, 0, 'good')}
${box(1, 0, 0, 'good')}
${box(2, 0, 1, 'bad')}
${box(3, 0, 1, 'bad')}
${box(4, 1, 0, 'good')}</track></annotations>`,
    );
    const { annotations, report } = await importAnnotations(file, { settings: null });
    expect(annotations.tracks[0]!.shapes.map((shape) => [shape.frame, shape.occluded, shape.attributes?.quality])).toEqual([
      [0, false, 'good'],
      [2, true, 'bad'],
      [4, false, 'good'],
    ]);
    expect(report.problems).toEqual([
      expect.objectContaining({
        line: 4,
        message: 'the box is not a keyframe, but its occluded, quality differ from the keyframe before; it is kept as a keyframe so that they are not lost',
      }),
    ]);
  });

  it('takes every box of a CVAT track that marks no keyframes as one, and says so', async () => {
    const file = join(await tempDir(), 'plain.xml');
    await writeFile(
      file,
      `<annotations><meta><task><size>10</size><original_size><width>640</width><height>360</height></original_size></task></meta>
<track id="1" label="MW"><box frame="0" outside="0" occluded="0" xtl="10" ytl="10" xbr="50" ybr="90"/><box frame="4" outside="0" occluded="0" xtl="30" ytl="10" xbr="70" ybr="90"/></track></annotations>`,
    );
    const { annotations, report } = await importAnnotations(file, { settings: null });
    expect(annotations.tracks[0]!.shapes.map((shape) => shape.frame)).toEqual([0, 4]);
    expect(report.problems).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringContaining('no keyframe attribute') })]);
  });

  it('refuses a CVAT track with no keyframe, and skips boxes before a track’s first keyframe, naming their lines', async () => {
    const file = join(await tempDir(), 'unkeyed.xml');
    const box = (frame: number, keyframe: number) =>
      `<box frame="${frame}" keyframe="${keyframe}" outside="0" occluded="0" xtl="${10 + frame}" ytl="10" xbr="${50 + frame}" ybr="90" z_order="0"/>`;
    await writeFile(
      file,
      `<annotations><meta><task><size>10</size><labels><label><name>MW</name></label><label><name>NM</name></label></labels><original_size><width>640</width><height>360</height></original_size></task></meta>
<track id="1" label="MW">${box(0, 1)}${box(4, 1)}</track>
<track id="2" label="ghost">
${box(2, 0)}${box(3, 0)}</track>
<track id="3" label="NM">
${box(1, 0)}
${box(5, 1)}${box(6, 0)}</track></annotations>`,
    );
    const { annotations, report } = await importAnnotations(file, { settings: null });
    // As CVAT, which takes only keyframes: the second track has none (nor is its undeclared label reported), and the third starts on frame 5.
    expect(annotations.tracks.map((track) => [track.id, track.shapes.map((shape) => shape.frame)])).toEqual([
      [1, [0, 4]],
      [3, [5]],
    ]);
    expect(report.problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        line: 3,
        message: `<track label="ghost"> has boxes but no keyframe in view: CVAT takes only a track's keyframes, and refuses a track without one; it is skipped`,
      }),
      expect.objectContaining({
        severity: 'warning',
        line: 6,
        message: `1 boxes before the track's first keyframe are not keyframes: CVAT takes only keyframes, so they are skipped (the first here)`,
      }),
    ]);
  });

  it('drops keyframes beyond the video with a warning, keeping the boxes inside it as they were', async () => {
    const file = join(await tempDir(), 'long.xml');
    await writeFile(
      file,
      `<annotations><meta><task><size>300</size><original_size><width>640</width><height>360</height></original_size></task></meta>
<track id="1" label="MW"><box frame="100" keyframe="1" outside="0" occluded="0" xtl="0" ytl="10" xbr="40" ybr="90"/><box frame="200" keyframe="1" outside="0" occluded="0" xtl="100" ytl="10" xbr="140" ybr="90"/></track></annotations>`,
    );
    const { annotations, report } = await importAnnotations(file, { settings });
    expect(boxesOf(annotations).find((line) => line.startsWith('159 '))).toBe('159 1 MW false 59 10 99 90');
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ message: 'the file is for 300 frames but the video has 160' }),
        expect.objectContaining({ message: expect.stringContaining('track 1 has 1 keyframes beyond the video') }),
      ]),
    );
  });

  it('takes frame numbers from VOC file names as they are, or as 1-based when they start at 1', async () => {
    const still = { ...settings, media: null };
    const object = '<object><name>MW</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>9</xmax><ymax>9</ymax></bndbox></object>';
    for (const [names, frames] of [
      [
        ['shot_37.xml', 'shot_38.xml'],
        [37, 38],
      ],
      [
        ['img_1.xml', 'img_2.xml'],
        [0, 1],
      ],
    ] as const) {
      const folder = await tempDir();
      for (const name of names) await writeFile(join(folder, name), `<annotation><size><width>64</width><height>64</height></size>${object}</annotation>`);
      const { annotations } = await importAnnotations(folder, { settings: still, linkThreshold: 0.9 });
      expect(annotations.tracks[0]!.shapes.filter((shape) => !shape.outside).map((shape) => shape.frame)).toEqual(frames);
    }
  });

  it('refuses to overwrite an export target unless forced', async () => {
    const { annotations } = await importAnnotations(cvatImages, { settings });
    const out = join(await tempDir(), 'taken.xml');
    await writeFile(out, 'mine');
    await expect(exportAnnotations(annotations, 'cvat-images', out, { name: 'x', labels: DEFAULT_LABELS.slice() })).rejects.toMatchObject({
      code: 'already-exists',
    });
    expect(await readFile(out, 'utf8')).toBe('mine');
    await exportAnnotations(annotations, 'cvat-images', out, { name: 'x', labels: DEFAULT_LABELS.slice(), force: true });
    expect(await readFile(out, 'utf8')).toContain('<annotations>');
    await mkdir(join(out + '.d'));
  });

  it('puts back the export that an export killed as it replaced it had set aside, and refuses to overwrite it unforced', async () => {
    const { annotations } = await importAnnotations(cvatImages, { settings });
    const folder = await tempDir();
    const out = join(folder, 'taken.xml');
    // Killed between replaceWith's two moves: the user's file set aside, the new export still staged.
    await writeFile(besidePath(out, 'old'), 'mine');
    await writeFile(besidePath(out, 'partial'), '<annotations>');
    await expect(exportAnnotations(annotations, 'cvat-images', out, { name: 'x', labels: DEFAULT_LABELS.slice() })).rejects.toMatchObject({
      code: 'already-exists',
    });
    expect(await readdir(folder)).toEqual(['taken.xml']);
    expect(await readFile(out, 'utf8')).toBe('mine');
  });
});

describe('annotations for a folder of frames', () => {
  const tempDir = useTempDirs();

  it('matches VOC files to frame files by <filename>, and reports one whose frame file is missing', async () => {
    const project = await tempDir();
    await cp(join(inject('sampleProject'), 'media', 'frames'), join(project, 'frames'), { recursive: true });
    await rm(join(project, 'frames', 'frame_000007.jpg'));
    const report = await importIntoProject(project, voc, { media: join(project, 'frames') });
    expect(report.frames).toBe(159);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          severity: 'error',
          file: join(voc, 'frame_000007.xml'),
          message: expect.stringContaining('<filename>frame_000007.jpg</filename> matches no frame of the project'),
        }),
        expect.objectContaining({
          severity: 'warning',
          file: 'frames',
          message: expect.stringContaining('the frame files skip numbers: frame_000006.jpg is followed by frame_000008.jpg'),
        }),
      ]),
    );
    const settings = JSON.parse(await readFile(join(project, 'project.json'), 'utf8')) as ProjectSettings;
    expect(settings.media).toEqual({ kind: 'frames', path: 'frames', fps: 25, frameCount: 159, width: 640, height: 360 });
    // Frame 8 of the video is the eighth file now: its boxes follow their file, not their old number.
    const annotations = await readAnnotationsFile(join(project, 'annotations.json'));
    expect(annotations.frameNames[7]).toBe('frame_000008.jpg');
  });

  it('refuses an XML file larger than it will read, without reading it', async () => {
    const file = join(await tempDir(), 'huge.xml');
    const handle = await open(file, 'w');
    await handle.truncate(600 * 1024 * 1024);
    await handle.close();
    await expect(importAnnotations(file, { settings: null })).rejects.toMatchObject({
      code: 'invalid-annotations',
      message: expect.stringContaining('is 600 MB, more than the 512 MB'),
    });
  });
});

describe("CVAT's tags, mixed tracks and undeclared labels", () => {
  const tempDir = useTempDirs();
  const fixtures = join(__dirname, '..', 'fixtures', 'cvat');
  /** CVAT for video: a box track, a skeleton track and two tags of whole frames, one with a label the file does not declare. */
  const videoTags = join(fixtures, 'video-tags.xml');
  /** CVAT for images: tags on images, and a box and a tag whose labels the file does not declare. */
  const imagesTags = join(fixtures, 'images-tags.xml');

  async function exported(annotations: ProjectAnnotations, format: 'cvat-video' | 'cvat-images'): Promise<{ out: string; xml: string }> {
    const out = join(await tempDir(), 'out.xml');
    await exportAnnotations(annotations, format, out, { name: 'walkway', labels: DEFAULT_LABELS.slice() });
    return { out, xml: await readFile(out, 'utf8') };
  }

  /** Whether every label a CVAT file's shapes use is declared in its <labels>, as CVAT requires to take it. */
  function undeclared(xml: string): string[] {
    const declared = new Set([...xml.matchAll(/<label>\s*<name>([^<]*)<\/name>/g)].map((m) => m[1]));
    return [...new Set([...xml.matchAll(/ label="([^"]*)"/g)].map((m) => m[1]!))].filter((label) => !declared.has(label));
  }

  it('keeps the top-level tags of CVAT for video and writes them back after the tracks', async () => {
    const first = await importAnnotations(videoTags, { settings: null });
    expect(errors(first.report)).toEqual([]);
    expect(first.report.problems).toContainEqual(
      expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/^2 <skeleton>, 2 <tag> shapes are kept/) }),
    );
    expect(first.annotations.extra?.cvatShapes?.tags).toEqual([
      { $: { frame: '3', label: 'blurry', source: 'manual' }, attribute: [{ $: { name: 'level' }, '#text': 'high' }] },
      { $: { frame: '7', label: 'crowd', source: 'manual' } },
    ]);
    const { out, xml } = await exported(first.annotations, 'cvat-video');
    expect(xml).toMatch(
      /<\/track>\s*<tag frame="3" label="blurry" source="manual">\s*<attribute name="level">high<\/attribute>\s*<\/tag>\s*<tag frame="7" label="crowd"[^>]*><\/tag>\s*<\/annotations>/,
    );
    expect(undeclared(xml)).toEqual([]);
    const second = await importAnnotations(out, { settings: null });
    expect(second.annotations).toEqual(first.annotations);
    expect((await exported(second.annotations, 'cvat-video')).xml).toBe(xml);
    const images = await exportAnnotations(first.annotations, 'cvat-images', join(await tempDir(), 'images.xml'), {
      name: 'walkway',
      labels: DEFAULT_LABELS.slice(),
    });
    expect(images.notKept).toContainEqual('2 CVAT for video tags of whole frames, kept for CVAT for video only');
  });

  it('keeps the tags of CVAT for images on their image', async () => {
    const first = await importAnnotations(imagesTags, { settings: null });
    expect(errors(first.report)).toEqual([]);
    const { out, xml } = await exported(first.annotations, 'cvat-images');
    expect(xml).toMatch(/<image id="0"[^>]*>\s*<box label="with_mask"[\s\S]*?<\/box>\s*<tag label="blurry" source="manual"><\/tag>\s*<\/image>/);
    expect(xml).toMatch(/<image id="1"[^>]*>\s*<box label="helmet"[\s\S]*?<\/box>\s*<tag label="crowd" source="manual"><\/tag>\s*<\/image>/);
    const second = await importAnnotations(out, { settings: null });
    expect(second.annotations).toEqual(first.annotations);
  });

  it('reports each label a CVAT file uses but does not declare, naming it and its line, and declares every label it exports', async () => {
    for (const [source, format, expected] of [
      [videoTags, 'cvat-video', [['tag', 'crowd']]],
      [
        imagesTags,
        'cvat-images',
        [
          ['box', 'helmet'],
          ['tag', 'crowd'],
        ],
      ],
    ] as const) {
      const content = await readFile(source, 'utf8');
      const { annotations, report } = await importAnnotations(source, { settings: null });
      const warnings = report.problems.filter((problem) => problem.message.includes('do not declare'));
      expect(warnings).toEqual(
        expected.map(([element, label]) =>
          expect.objectContaining({
            severity: 'warning',
            file: source,
            line: content.split('\n').findIndex((line) => line.includes(`<${element} `) && line.includes(`label="${label}"`)) + 1,
            message: `<${element} label="${label}"> uses a label the file's <labels> do not declare; it is imported all the same, and an export declares it`,
          }),
        ),
      );
      const { out, xml } = await exported(annotations, format);
      expect(undeclared(xml)).toEqual([]);
      expect(xml).toMatch(/<label>\s*<name>crowd<\/name>\s*<color>#808080<\/color>\s*<type>tag<\/type>/);
      expect((await importAnnotations(out, { settings: null })).report.problems.filter((problem) => problem.message.includes('do not declare'))).toEqual([]);
    }
  });

  it('declares a label that boxes and kept shapes share as CVAT lets both use it, with the attributes of each', async () => {
    const file = join(await tempDir(), 'shared.xml');
    await writeFile(
      file,
      `<annotations><meta><task><size>10</size><labels>
<label><name>line</name><color>#00ff00</color><type>polyline</type><attributes><attribute><name>width</name><mutable>False</mutable><input_type>number</input_type><default_value>1</default_value><values>1;9;1</values></attribute></attributes></label>
</labels><original_size><width>640</width><height>360</height></original_size></task></meta>
<track id="0" label="line"><box frame="0" keyframe="1" outside="0" occluded="0" xtl="10" ytl="10" xbr="50" ybr="90" z_order="0"/>
<polyline frame="1" keyframe="1" outside="0" occluded="0" points="1.00,1.00;30.00,40.00" z_order="0"><attribute name="width">3</attribute></polyline></track></annotations>`,
    );
    const { annotations } = await importAnnotations(file, { settings: null });
    const { out, xml } = await exported(annotations, 'cvat-video');
    const declarations = [...xml.matchAll(/<label>\s*<name>line<\/name>[\s\S]*?<\/label>/g)].map((m) => m[0]);
    expect(declarations).toHaveLength(1);
    expect(declarations[0]).toContain('<type>any</type>');
    for (const attribute of ['track_id', 'width']) expect(declarations[0]).toContain(`<name>${attribute}</name>`);
    expect(xml).toMatch(/<track id="1" label="line"[^>]*>\s*<polyline frame="1"/);
    // Read back, it declares the same again.
    const second = await importAnnotations(out, { settings: null });
    expect((await exported(second.annotations, 'cvat-video')).xml).toBe(xml);
  });

  it('keeps the other shapes of a CVAT track that also holds boxes as a track of their own, and the track’s own elements', async () => {
    // A hand edit CVAT itself would not make: one track with boxes, a polygon and an element of its own.
    const source = (await readFile(videoTags, 'utf8')).replace(
      '<track id="0" label="with_mask" source="manual">',
      `$&
    <polygon frame="2" keyframe="1" outside="0" occluded="0" points="110.00,100.00;130.00,100.00;120.00,115.50" z_order="0">
    </polygon>
    <review by="ann">ok</review>`,
    );
    const file = join(await tempDir(), 'mixed.xml');
    await writeFile(file, source);
    const first = await importAnnotations(file, { settings: null });
    expect(first.report.problems).toContainEqual(
      expect.objectContaining({
        severity: 'warning',
        line: source.split('\n').findIndex((line) => line.includes('<track id="0"')) + 1,
        message: 'the track holds boxes and also 1 <polygon>: the boxes are imported, the others kept as a track of their own',
      }),
    );
    expect(first.annotations.tracks).toHaveLength(1);
    const { out, xml } = await exported(first.annotations, 'cvat-video');
    expect(xml).toMatch(/<track id="0" label="with_mask" source="manual">\s*<box[\s\S]*?<review by="ann">ok<\/review>\s*<\/track>/);
    expect(xml).toMatch(/<track id="1" label="with_mask" source="manual">\s*<polygon frame="2"[^>]*points="110.00,100.00;130.00,100.00;120.00,115.50"/);
    // Written once more, it is the same file: nothing more is lost.
    const second = await importAnnotations(out, { settings: null });
    expect(second.annotations.tracks).toEqual(first.annotations.tracks);
    expect((await exported(second.annotations, 'cvat-video')).xml).toBe(xml);
  });
});
