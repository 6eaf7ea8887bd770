// What broke imports and projects once (issue 15), and its kin: each input is refused naming the file and
// a line or field, or imported into a project that opens again; nothing hangs on a number in a file.

import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { ProjectAnnotations } from '../../src/shared/annotations';
import { DEFAULT_LABELS, type ProjectSettings } from '../../src/shared/project';
import { exportAnnotations } from '../../src/core/annotations/export-annotations';
import { importAnnotations } from '../../src/core/annotations/import-annotations';
import { listDatasets } from '../../src/core/dataset/list-datasets';
import { AnnotationStore } from '../../src/core/project/annotation-store';
import { importIntoProject } from '../../src/core/project/import-into-project';
import { ANNOTATIONS_FILE, PROJECT_FILE } from '../../src/core/project/layout';
import { readProjectSettings } from '../../src/core/project/project-settings';
import { useTempDirs } from '../support/temp-dir';
import { readAnnotationsFile } from '../support/annotations-file';

const LABELS = DEFAULT_LABELS.map((label) => label.name);
const HEAD = (size = '10', width = '640', height = '360') =>
  `<annotations><version>1.1</version><meta><task><size>${size}</size><original_size><width>${width}</width><height>${height}</height></original_size></task></meta>`;
const box = (frame: number, more = '') =>
  `<box frame="${frame}" keyframe="1" outside="0" occluded="0" xtl="10" ytl="10" xbr="50" ybr="90" z_order="0"${more}/>`;
const imageBox = '<box label="MW" occluded="0" xtl="10" ytl="10" xbr="50" ybr="90" z_order="0"/>';
const vocObject = (trackId?: string) =>
  `<object><name>MW</name><bndbox><xmin>10</xmin><ymin>10</ymin><xmax>50</xmax><ymax>90</ymax></bndbox>${
    trackId === undefined ? '' : `<attributes><attribute><name>track_id</name><value>${trackId}</value></attribute></attributes>`
  }</object>`;
const vocFile = (objects: string) => `<annotation><size><width>640</width><height>360</height></size>${objects}</annotation>`;

describe('imports that must leave a project that opens', () => {
  const tempDir = useTempDirs();

  /** Imports into a new project, then opens it as the app does. */
  async function importAndOpen(source: string, settings?: ProjectSettings) {
    const project = await tempDir();
    if (settings) await writeFile(join(project, PROJECT_FILE), JSON.stringify(settings));
    const report = await importIntoProject(project, source, {});
    const opened = (await readProjectSettings(project))!;
    const store = (await AnnotationStore.load(
      project,
      opened.labels.map((label) => label.name),
    ))!;
    return { report, store, annotations: store.annotations, project };
  }

  async function file(name: string, content: string | Buffer): Promise<string> {
    const path = join(await tempDir(), name);
    await writeFile(path, content);
    return path;
  }

  it('skips, by line, an outside box with a missing or unreadable coordinate, and a keyframe listed twice', async () => {
    const source = await file(
      'video.xml',
      `${HEAD()}
<track id="1" label="MW">${box(0)}
<box frame="4" keyframe="1" outside="1" occluded="0" xtl="NaN" ytl="10" xbr="50" ybr="90"/>
${box(6)}
${box(6)}</track>
<track id="2" label="NM">${box(1)}
<box frame="3" keyframe="1" outside="1" occluded="0" xtl="10" ytl="10" xbr="50"/>
<box keyframe="1" outside="0" occluded="0" xtl="10" ytl="10" xbr="50" ybr="90"/></track></annotations>`,
    );
    const { report, annotations } = await importAndOpen(source);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ severity: 'error', line: 3, message: 'xtl="NaN" is not a number; the box is skipped' }),
        expect.objectContaining({ severity: 'error', line: 5, message: expect.stringContaining('second box on frame 6') }),
        expect.objectContaining({ severity: 'error', line: 7, message: 'the box has no ybr attribute; the box is skipped' }),
        expect.objectContaining({ severity: 'error', line: 8, message: 'the box has no frame attribute; it is skipped' }),
      ]),
    );
    expect(annotations.tracks.map((track) => track.shapes.map((shape) => shape.frame))).toEqual([[0, 6], [1]]);
  });

  it('names the VOC coordinate that is missing or not a number, by file and line', async () => {
    const folder = await tempDir();
    const object = (bndbox: string) => `<object>\n<name>MW</name><bndbox>${bndbox}</bndbox></object>`;
    await writeFile(join(folder, 'frame_000000.xml'), vocFile(object('<xmin>10</xmin><ymin>10</ymin><xmax>50</xmax>')));
    await writeFile(join(folder, 'frame_000001.xml'), vocFile(object('<xmin>10</xmin><ymin>abc</ymin><xmax>50</xmax><ymax>90</ymax>')));
    const { report } = await importAnnotations(folder, { settings: null });
    expect(report.problems.map((problem) => `${problem.file?.split('/').pop()}:${problem.line} ${problem.message}`)).toEqual([
      'frame_000000.xml:1 <ymax> is missing; the box is skipped',
      'frame_000001.xml:1 <ymin>abc</ymin> is not a number; the box is skipped',
    ]);
  });

  it('names each side of a frame size that is wrong or missing, and an image id that is missing or repeated', async () => {
    const folder = await tempDir();
    await writeFile(join(folder, 'frame_000000.xml'), vocFile(vocObject()));
    await writeFile(join(folder, 'frame_000001.xml'), `<annotation><size><width>-320</width><height>0</height></size>${vocObject()}</annotation>`);
    await writeFile(join(folder, 'frame_000002.xml'), '<annotation>\n<object><name>MW</name></annotation>');
    const fromVoc = await importAnnotations(folder, { settings: null });
    expect(fromVoc.report.problems.map((problem) => `${problem.file?.split('/').pop()}:${problem.line} ${problem.message}`)).toEqual([
      expect.stringMatching(/^frame_000002\.xml:2 the XML is malformed: .*[^.]; its boxes are skipped$/),
      'frame_000001.xml:1 the <size> width "-320" is not a whole number from 1 to 100000; it is not used',
      'frame_000001.xml:1 the <size> height "0" is not a whole number from 1 to 100000; it is not used',
    ]);
    const images = await file(
      'images.xml',
      `${HEAD('')}
<image id="0" name="a.jpg" width="640" height="360">${imageBox}</image>
<image id="1" name="b.jpg" width="640">${imageBox}</image>
<image id="0" name="c.jpg" width="640" height="360">${imageBox}</image>
<image name="d.jpg" width="640" height="360">${imageBox}</image></annotations>`,
    );
    const fromImages = await importAnnotations(images, { settings: null });
    expect(fromImages.report.problems.map((problem) => `${problem.line} ${problem.message}`)).toEqual([
      '3 the image has no height; it is not used',
      '4 <image id="0"> repeats the id of the image at line 2; its boxes are skipped',
      '5 the image has no id attribute; its boxes are skipped',
    ]);
  });

  it('reports a CVAT flag that is neither 0 nor 1 by line and value, and takes it as 0', async () => {
    const video = await file(
      'video.xml',
      `${HEAD()}\n<track id="1" label="MW">${box(0)}\n${box(2, ' outside="maybe" occluded="2"').replace(/ outside="0" occluded="0"/, '')}</track></annotations>`,
    );
    const { report, annotations } = await importAndOpen(video);
    expect(report.problems.map((problem) => `${problem.line} ${problem.message}`)).toEqual([
      '3 outside="maybe" is neither 0 nor 1; 0 is used',
      '3 occluded="2" is neither 0 nor 1; 0 is used',
    ]);
    expect(annotations.tracks[0]!.shapes.map((shape) => [shape.frame, shape.outside, shape.occluded])).toEqual([
      [0, false, false],
      [2, false, false],
    ]);
    const images = await file(
      'images.xml',
      `${HEAD('')}\n<image id="0" name="a.jpg" width="640" height="360">${imageBox.replace('occluded="0"', 'occluded="yes"')}</image></annotations>`,
    );
    expect((await importAnnotations(images, { settings: null })).report.problems.map((problem) => `${problem.line} ${problem.message}`)).toEqual([
      '2 occluded="yes" is neither 0 nor 1; 0 is used',
    ]);
  });

  it('reads no track_id above 2^53 - 1 (two would read as one number), and new ids stay safe after the highest', async () => {
    const folder = await tempDir();
    await writeFile(join(folder, 'frame_000000.xml'), vocFile(vocObject('9007199254740993') + vocObject('9007199254740991')));
    await writeFile(join(folder, 'frame_000001.xml'), vocFile(vocObject('9007199254740992') + vocObject('9007199254740991')));
    const { report, store, project } = await importAndOpen(folder);
    expect(report.problems.filter((problem) => problem.message.includes('track_id "900719925474099'))).toEqual([
      expect.objectContaining({ severity: 'warning', file: join(folder, 'frame_000000.xml'), line: 1 }),
      expect.objectContaining({ severity: 'warning', file: join(folder, 'frame_000001.xml'), line: 1 }),
    ]);
    const ids = store.annotations.tracks.map((track) => track.id);
    expect(ids).toContain(Number.MAX_SAFE_INTEGER);
    expect(ids.every(Number.isSafeInteger)).toBe(true);
    // A track drawn now gets a free id, not 2^53, and the project still opens.
    store.apply({ type: 'create-track', frame: 0, box: { xtl: 100, ytl: 100, xbr: 200, ybr: 200 }, label: 'MW' });
    await store.flush();
    const reopened = (await AnnotationStore.load(project, LABELS))!;
    expect(new Set(reopened.annotations.tracks.map((track) => track.id)).size).toBe(ids.length + 1);
  });

  it('reports a frame size that is not a whole number (1e309) by line, and takes the size from elsewhere or refuses', async () => {
    const images = await file('images.xml', `${HEAD('2')}\n<image id="0" name="a.jpg" width="1e309" height="360">${imageBox}</image></annotations>`);
    const { report, annotations } = await importAndOpen(images);
    expect(annotations).toMatchObject({ width: 640, height: 360 });
    expect(report.problems).toContainEqual(expect.objectContaining({ severity: 'error', line: 2, message: expect.stringContaining('"1e309"') }));
    const video = await file('video.xml', `${HEAD('10', '1e309')}\n<track id="1" label="MW">${box(0)}</track></annotations>`);
    await expect(importAnnotations(video, { settings: null })).rejects.toMatchObject({ code: 'invalid-annotations', where: { file: video, line: 1 } });
  });

  it.each([
    ['a CVAT task of 100,000,000 frames', 'video.xml', `${HEAD('100000000')}\n<track id="1" label="MW">${box(0)}${box(5)}</track></annotations>`, 6],
    [
      'a CVAT image numbered 2^31 - 1',
      'images.xml',
      `${HEAD('')}\n<image id="0" name="a.jpg">${imageBox}</image>\n<image id="2147483647" name="b.jpg">${imageBox}</image></annotations>`,
      1,
    ],
    [
      'a CVAT image numbered 2^32',
      'images.xml',
      `${HEAD('')}\n<image id="0" name="a.jpg">${imageBox}</image>\n<image id="4294967296" name="b.jpg">${imageBox}</image></annotations>`,
      1,
    ],
  ])('takes %s without making a frame for each', async (_name, name, content, frames) => {
    const started = performance.now();
    const { report, annotations } = await importAndOpen(await file(name, content));
    expect(annotations.frameCount).toBe(frames);
    expect(report.problems).toContainEqual(expect.objectContaining({ severity: 'error', line: expect.any(Number) }));
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('takes a VOC file named frame_99999999 without making a frame for each', async () => {
    const folder = await tempDir();
    await writeFile(join(folder, 'frame_000000.xml'), vocFile(vocObject()));
    await writeFile(join(folder, 'frame_99999999.xml'), vocFile(vocObject()));
    const started = performance.now();
    const { report, annotations } = await importAndOpen(folder);
    expect(annotations.frameCount).toBe(1);
    expect(report.problems).toContainEqual(expect.objectContaining({ severity: 'error', file: join(folder, 'frame_99999999.xml') }));
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it.each([
    ['nesting over 100 levels', `<annotations>\n<meta>\n${'<a>'.repeat(120)}${'</a>'.repeat(120)}</meta></annotations>`, 3],
    ['an element named __proto__', `<annotations>\n<meta/>\n<__proto__>1</__proto__></annotations>`, 3],
    ['an attribute named constructor', `<annotations>\n<track id="1" constructor="x"/></annotations>`, 2],
    ['an external entity', `<?xml version="1.0"?>\n<!DOCTYPE annotations [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<annotations>&x;</annotations>`, 2],
  ])('refuses XML the parser will not take (%s), naming the line', async (_name, content, line) => {
    const source = await file('a.xml', content);
    await expect(importAnnotations(source, { settings: null })).rejects.toMatchObject({ code: 'invalid-annotations', where: { file: source, line } });
  });

  it('refuses labels longer than a project takes (one in 300 keyframes made annotations.json too large to write), naming the line', async () => {
    const keyframes = Array.from({ length: 300 }, (_, frame) => box(frame)).join('');
    const source = await file('video.xml', `${HEAD('300')}\n<track id="1" label="${'x'.repeat(2 * 2 ** 20)}">${keyframes}</track></annotations>`);
    await expect(importIntoProject(await tempDir(), source, {})).rejects.toMatchObject({
      code: 'invalid-annotations',
      message: expect.stringContaining('longer than 256 characters'),
      where: { file: source, line: 2 },
    });
  });

  it('reads XML in the encoding it declares or marks, and refuses one it cannot read by name', async () => {
    const latin = await file(
      'latin.xml',
      Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>\n${HEAD()}<track id="1" label="masqué">${box(0)}</track></annotations>`, 'latin1'),
    );
    expect((await importAnnotations(latin, { settings: null })).report.labels).toEqual({ masqué: 10 });
    const xml = `${HEAD()}<track id="1" label="masqué">${box(0)}</track></annotations>`;
    const utf16 = await file('le.xml', Buffer.from(`\ufeff<?xml version="1.0" encoding="UTF-16"?>\n${xml}`, 'utf16le'));
    const utf16be = await file('be.xml', Buffer.from(xml, 'utf16le').swap16());
    for (const source of [utf16, utf16be]) expect((await importAnnotations(source, { settings: null })).report.labels).toEqual({ masqué: 10 });
    const martian = await file('m.xml', `<?xml version="1.0" encoding="x-martian"?>\n${xml}`);
    await expect(importAnnotations(martian, { settings: null })).rejects.toMatchObject({
      message: expect.stringContaining('"x-martian" encoding'),
      where: { file: martian, line: 1 },
    });
  });

  it('keeps labels named after Object.prototype members, through the report and a CVAT export', async () => {
    const source = await file(
      'video.xml',
      `${HEAD()}<track id="1" label="constructor">${box(0)}</track><track id="2" label="toString">${box(0)}</track></annotations>`,
    );
    const { report, annotations } = await importAndOpen(source);
    expect(report.unknownLabels).toEqual({ constructor: 10, toString: 10 });
    for (const format of ['cvat-video', 'cvat-images'] as const) {
      const out = join(await tempDir(), 'out.xml');
      await exportAnnotations(annotations, format, out, { name: 'x', labels: DEFAULT_LABELS.slice() });
      expect(await readFile(out, 'utf8')).toContain('<name>constructor</name>');
    }
  });

  it('exports VOC files only inside the export folder, whatever the frame names say', async () => {
    const source = await file(
      'images.xml',
      `${HEAD('')}\n<image id="0" name="../../escape.jpg">${imageBox}</image>\n<image id="1" name="sub/dir/escape.jpg">${imageBox}</image></annotations>`,
    );
    const { annotations } = await importAndOpen(source);
    const out = join(await tempDir(), 'voc');
    await exportAnnotations(annotations, 'voc', out, { name: 'x', labels: DEFAULT_LABELS.slice() });
    expect((await readdir(out)).sort()).toEqual(['escape.xml', 'escape_1.xml']);
  });

  it('refuses an export into a folder that is not there, naming it', async () => {
    const { annotations } = await importAndOpen(await file('video.xml', `${HEAD()}<track id="1" label="MW">${box(0)}</track></annotations>`));
    const missing = join(await tempDir(), 'missing');
    await expect(exportAnnotations(annotations, 'cvat-video', join(missing, 'out.xml'), { name: 'x', labels: DEFAULT_LABELS.slice() })).rejects.toMatchObject({
      code: 'not-found',
      where: { file: missing, field: 'out' },
    });
  });
});

type Columns = { schema: unknown; tracks: Record<string, unknown[]>[] };

describe('opening annotations.json and project.json', () => {
  const tempDir = useTempDirs();
  const sample = inject('sampleProject');

  async function withAnnotations(change: (annotations: ProjectAnnotations & Record<string, unknown>) => void, prefix = ''): Promise<string> {
    // Written as schema 1 did, a list of shapes per track: the form older projects and journals have.
    const annotations: ProjectAnnotations & Record<string, unknown> = { ...(await readAnnotationsFile(join(sample, ANNOTATIONS_FILE))), schema: 1 as never };
    change(annotations);
    const folder = await tempDir();
    await writeFile(join(folder, ANNOTATIONS_FILE), prefix + JSON.stringify(annotations));
    return folder;
  }

  it.each([
    ['a null track', (a: ProjectAnnotations) => ((a.tracks as unknown[])[0] = null), 'tracks[0]'],
    ['a box turned inside out', (a: ProjectAnnotations) => (a.tracks[0]!.shapes[0]!.xbr = a.tracks[0]!.shapes[0]!.xtl - 5), 'tracks[0].shapes[0].xbr'],
    ['a box far outside the frame', (a: ProjectAnnotations) => (a.tracks[1]!.shapes[0]!.ybr = 1e6), 'tracks[1].shapes[0].ybr'],
    ['a box far left of the frame', (a: ProjectAnnotations) => (a.tracks[1]!.shapes[0]!.xtl = -1e5), 'tracks[1].shapes[0].xtl'],
    ['a negative track id', (a: ProjectAnnotations) => (a.tracks[2]!.id = -1), 'tracks[2].id'],
    ['a track id of 2^53', (a: ProjectAnnotations) => (a.tracks[2]!.id = 2 ** 53), 'tracks[2].id'],
    ['an empty label', (a: ProjectAnnotations) => (a.tracks[0]!.shapes[0]!.label = ''), 'tracks[0].shapes[0].label'],
    ['a frame count of 2^32', (a: ProjectAnnotations) => (a.frameCount = 2 ** 32), 'frameCount'],
    [
      'kept XML attributes that are not text',
      (a: ProjectAnnotations) => (a.tracks[0]!.extra = { xmlAttributes: { n: 5 } as never }),
      'tracks[0].extra.xmlAttributes.n',
    ],
  ])('refuses %s, naming the field', async (_name, change, field) => {
    const folder = await withAnnotations(change);
    await expect(AnnotationStore.load(folder, LABELS)).rejects.toMatchObject({
      code: 'invalid-project',
      where: { file: join(folder, ANNOTATIONS_FILE), field },
    });
  });

  /** The sample's annotations.json as written now (tracks as columns), changed by hand. */
  async function withColumns(change: (file: Columns) => void): Promise<string> {
    const file = JSON.parse(await readFile(join(sample, ANNOTATIONS_FILE), 'utf8')) as Columns;
    change(file);
    const folder = await tempDir();
    await writeFile(join(folder, ANNOTATIONS_FILE), JSON.stringify(file));
    return folder;
  }

  it.each([
    ['a box turned inside out', (a: Columns) => (a.tracks[0]!.xbr![0] = -5), 'tracks[0].xbr[0]'],
    ['a coordinate that is not a number', (a: Columns) => (a.tracks[1]!.ytl![2] = '12'), 'tracks[1].ytl[2]'],
    ['a column shorter than the frames', (a: Columns) => a.tracks[0]!.zOrder!.pop(), 'tracks[0].zOrder'],
    ['no frames', (a: Columns) => (a.tracks[0]!.frame = []), 'tracks[0].frame'],
    ['frames out of order', (a: Columns) => (a.tracks[0]!.frame![1] = a.tracks[0]!.frame![0]), 'tracks[0].frame[1]'],
    ['an occluded flag of 2', (a: Columns) => (a.tracks[2]!.occluded![0] = 2), 'tracks[2].occluded[0]'],
    ['an empty label', (a: Columns) => (a.tracks[0]!.label![1] = ''), 'tracks[0].label[1]'],
    ['more about a shape the track does not have', (a: Columns) => (a.tracks[0]!.more = [{ shape: 1e6, pose: 'Left' }]), 'tracks[0].more[0].shape'],
    ['a schema from a later Maskbench', (a: Columns) => (a.schema = 3), 'schema'],
  ])('refuses columns with %s, naming the field', async (_name, change, field) => {
    const folder = await withColumns(change);
    await expect(AnnotationStore.load(folder, LABELS)).rejects.toMatchObject({
      code: 'invalid-project',
      where: { file: join(folder, ANNOTATIONS_FILE), field },
    });
  });

  it('still opens a box a little outside the frame (an older import, a hand edit)', async () => {
    const folder = await withAnnotations((a) => {
      a.tracks[1]!.shapes[0]!.xtl = -40;
      a.tracks[1]!.shapes[0]!.ybr = a.height + 12;
    });
    expect(await AnnotationStore.load(folder, LABELS)).not.toBeNull();
  });

  it('names the line of JSON that does not parse, even where JSON.parse does not say', async () => {
    const folder = await tempDir();
    await writeFile(join(folder, ANNOTATIONS_FILE), '{\n  "schema": 1,\n  "width": tru\n}');
    await expect(AnnotationStore.load(folder, LABELS)).rejects.toMatchObject({ where: { line: 3 } });
    await writeFile(join(folder, ANNOTATIONS_FILE), '{\n  "schema": 1,\n  "tracks": [');
    await expect(AnnotationStore.load(folder, LABELS)).rejects.toMatchObject({ where: { line: 3 } });
  });

  it('opens files that start with a UTF-8 byte order mark', async () => {
    const folder = await withAnnotations(() => {}, '\ufeff');
    await writeFile(join(folder, PROJECT_FILE), '\ufeff' + (await readFile(join(sample, PROJECT_FILE), 'utf8')));
    expect(await readProjectSettings(folder)).toMatchObject({ name: expect.any(String) });
    expect((await AnnotationStore.load(folder, LABELS))!.annotations.tracks.length).toBeGreaterThan(0);
  });

  it('refuses a project.json whose media has more frames, or larger frames, than a project holds', async () => {
    const settings = JSON.parse(await readFile(join(sample, PROJECT_FILE), 'utf8')) as ProjectSettings;
    for (const [field, value] of [
      ['frameCount', 100_000_000],
      ['width', 1e9],
    ] as const) {
      const folder = await tempDir();
      await writeFile(join(folder, PROJECT_FILE), JSON.stringify({ ...settings, media: { ...settings.media, [field]: value } }));
      await expect(readProjectSettings(folder)).rejects.toMatchObject({ code: 'invalid-project', where: { field: `media.${field}` } });
    }
  });

  it('lists the datasets it can read when another manifest is damaged', async () => {
    const folder = await tempDir();
    await mkdir(join(folder, 'datasets', 'broken'), { recursive: true });
    await writeFile(join(folder, 'datasets', 'broken', 'manifest.json'), '{"schema": 1, "name": ');
    await mkdir(join(folder, 'datasets', 'bad name'), { recursive: true });
    expect(await listDatasets(folder)).toEqual([]);
  });
});
