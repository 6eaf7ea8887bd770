// Issue 17: a Pascal VOC folder of photos of different sizes keeps each photo's own size, through
// import, export, and the crops a dataset is cut into.

import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ANNOTATIONS_SCHEMA, type AnnotationTrack, type ImportReport, type ProjectAnnotations } from '../../src/shared/annotations';
import { DATASET_DEFAULTS, SPLITS, type DatasetManifest } from '../../src/shared/dataset';
import { materialize } from '../../src/shared/keyframes';
import { runCli } from '../../src/cli/cli';
import { validateCommand } from '../../src/cli/commands/validate';
import { applyEdit } from '../../src/core/annotations/edits';
import { exportAnnotations } from '../../src/core/annotations/export-annotations';
import { importAnnotations } from '../../src/core/annotations/import-annotations';
import { parseXml, text, children, type XmlNode } from '../../src/core/annotations/formats/xml-source';
import { buildDataset } from '../../src/core/dataset/build-dataset';
import { checkAgainstClip } from '../../src/core/dataset/dataset-options';
import { planDataset } from '../../src/core/dataset/plan-dataset';
import { cropRegion } from '../../src/core/dataset/crop-region';
import { AnnotationStore } from '../../src/core/project/annotation-store';
import { annotationsFileText } from '../../src/core/project/annotations-file';
import { importIntoProject } from '../../src/core/project/import-into-project';
import type { Classifier } from '../../src/core/review/classify';
import { predictBoxes, projectSource } from '../../src/core/review/predict-project';
import { reviewRun } from '../../src/core/review/review-run';
import { crossFitHere } from '../../src/core/review/run-here';
import { projectPaths, runPaths } from '../../src/core/project/layout';
import { trainRun } from '../../src/core/training/train-run';
import { TRAINING_DEFAULTS } from '../../src/shared/runs';
import { DEFAULT_LABEL_MAPPING, DEFAULT_LABELS, PROJECT_SCHEMA, type ProjectSettings } from '../../src/shared/project';
import { PHOTOS, vocXml, writePhotoCollection, type Photo } from '../support/photo-collection';
import { useTempDirs } from '../support/temp-dir';
import { readAnnotationsFile } from '../support/annotations-file';

const tempDir = useTempDirs();
const settings: ProjectSettings = {
  schema: PROJECT_SCHEMA,
  name: 'photos',
  media: null,
  labels: [...DEFAULT_LABELS],
  labelMapping: { ...DEFAULT_LABEL_MAPPING },
};
const readJson = async <T>(file: string) => JSON.parse(await readFile(file, 'utf8')) as T;

/** Each photo's boxes as the photos were made, in file order: "frame xmin ymin xmax ymax". */
const madeBoxes = PHOTOS.flatMap((photo, frame) => photo.boxes.map((box) => `${frame} ${box.xmin} ${box.ymin} ${box.xmax} ${box.ymax}`)).sort();
const boxesOf = (annotations: ProjectAnnotations) =>
  materialize(annotations, [])
    .tracks.flatMap((track) => track.boxes.map((box) => `${box.frame} ${box.xtl} ${box.ytl} ${box.xbr} ${box.ybr}`))
    .sort();

/** What a VOC file says of its image and boxes, field by field. */
function vocFields(xml: string): unknown {
  const doc = parseXml(xml, 'voc.xml').annotation as XmlNode;
  const size = doc.size as XmlNode;
  return {
    filename: text(doc.filename),
    size: [text(size.width), text(size.height)],
    objects: children(doc, 'object').map((object) => {
      const box = object.bndbox as XmlNode;
      // As written: a box survives exactly, to the last decimal.
      const corners = ['xmin', 'ymin', 'xmax', 'ymax'].map((corner) => text(box[corner]));
      return [text(object.name), text(object.pose), text(object.truncated), text(object.difficult), ...corners];
    }),
  };
}

async function photoProject(): Promise<{ folder: string; voc: string }> {
  const folder = await tempDir();
  const { images, voc } = await writePhotoCollection(folder);
  await importIntoProject(folder, voc, { media: images });
  return { folder, voc };
}

describe('a VOC folder of photos of different sizes', () => {
  it('keeps every box exactly, each photo with its own size, and links nothing', async () => {
    const folder = await tempDir();
    const { images, voc } = await writePhotoCollection(folder);
    const report = await importIntoProject(folder, voc, { media: images });
    expect(report.problems).toEqual([
      expect.objectContaining({ severity: 'warning', message: expect.stringContaining('different sizes (512x366, 301x400, 640x240)') }),
    ]);
    expect(report.boxes).toBe(5);
    // One track per box, none formed by linking: a photo's box says nothing about the next photo.
    expect([report.tracks, report.tracksFormed]).toEqual([5, 0]);
    const annotations = await readAnnotationsFile(join(folder, 'annotations.json'));
    expect(annotations.frameSizes).toEqual(PHOTOS.map(({ width, height }) => ({ width, height })));
    expect(annotations.stills).toBe(true);
    expect(boxesOf(annotations)).toEqual(madeBoxes);
  });

  it('exports each photo’s own <size>, and its boxes as they were imported', async () => {
    const { folder, voc } = await photoProject();
    const annotations = await readAnnotationsFile(join(folder, 'annotations.json'));
    const out = join(await tempDir(), 'voc');
    await exportAnnotations(annotations, 'voc', out, { name: 'photos', labels: settings.labels });
    const labels = Object.fromEntries(Object.entries(DEFAULT_LABEL_MAPPING));
    for (const photo of PHOTOS) {
      const name = photo.name.replace(/\.png$/, '.xml');
      const original = vocFields(await readFile(join(voc, name), 'utf8')) as { objects: (string | number)[][] };
      // Labels come back mapped onto the project's set; everything else is as it was.
      original.objects.forEach((object) => (object[0] = labels[object[0] as string]!));
      expect(vocFields(await readFile(join(out, name), 'utf8'))).toEqual(original);
    }
    // And the export reads back to the same annotations, which export byte for byte the same.
    const again = await importAnnotations(out, { settings });
    expect(again.annotations.frameSizes).toEqual(annotations.frameSizes);
    expect(boxesOf(again.annotations)).toEqual(madeBoxes);
    const second = join(await tempDir(), 'voc');
    await exportAnnotations(again.annotations, 'voc', second, { name: 'photos', labels: settings.labels });
    for (const name of await readdir(out)) expect(await readFile(join(second, name), 'utf8')).toBe(await readFile(join(out, name), 'utf8'));
  });

  it('keeps the box of a large photo followed by a small one, through the project, its reopening and an export', async () => {
    // The box reaches past twice the next photo's width: the end of its track, on that photo, is not checked against it.
    const photos: Photo[] = [
      {
        name: 'large.png',
        width: 640,
        height: 480,
        color: [40, 40, 40],
        boxes: [{ label: 'with_mask', xmin: 399, ymin: 379, xmax: 484, ymax: 475, color: [250, 0, 0] }],
      },
      {
        name: 'small.png',
        width: 200,
        height: 300,
        color: [90, 90, 90],
        boxes: [{ label: 'without_mask', xmin: 20, ymin: 30, xmax: 120, ymax: 200, color: [0, 250, 0] }],
      },
    ];
    const folder = await tempDir();
    const { images, voc } = await writePhotoCollection(folder, photos);
    const report = await importIntoProject(folder, voc, { media: images });
    expect([report.boxes, report.problems.filter((problem) => problem.severity === 'error')]).toEqual([2, []]);
    // A box drawn in the annotator on the large photo ends there too, and the project reopens with all three.
    const store = (await AnnotationStore.load(folder, ['MW', 'NM', 'ND']))!;
    store.apply({ type: 'create-track', frame: 0, box: { xtl: 500, ytl: 400, xbr: 600, ybr: 470 }, label: 'NM' });
    await store.close();
    const annotations = (await AnnotationStore.load(folder, ['MW', 'NM', 'ND']))!.annotations;
    expect(boxesOf(annotations)).toEqual(['0 399 379 484 475', '0 500 400 600 470', '1 20 30 120 200']);
    const out = join(await tempDir(), 'voc');
    await exportAnnotations(annotations, 'voc', out, { name: 'photos', labels: settings.labels });
    expect(vocFields(await readFile(join(out, 'large.xml'), 'utf8'))).toEqual({
      filename: 'large.png',
      size: ['640', '480'],
      objects: [
        ['MW', 'Unspecified', '0', '0', '399', '379', '484', '475'],
        ['NM', 'Unspecified', '0', '0', '500', '400', '600', '470'],
      ],
    });
    expect(vocFields(await readFile(join(out, 'small.xml'), 'utf8'))).toEqual(
      vocFields(await readFile(join(voc, 'small.xml'), 'utf8').then((xml) => xml.replace('without_mask', 'NM'))),
    );
  });

  it('keeps each photo’s size through CVAT for images too', async () => {
    const { folder } = await photoProject();
    const annotations = await readAnnotationsFile(join(folder, 'annotations.json'));
    const out = join(await tempDir(), 'photos.xml');
    const report = await exportAnnotations(annotations, 'cvat-images', out, { name: 'photos', labels: settings.labels });
    // CVAT's two decimals round the box set to a thousandth of a pixel, and the export says so.
    expect(report.notKept).toContain('1 keyframes’ corners to less than a hundredth of a pixel: CVAT writes two decimals');
    const sizes = [...(await readFile(out, 'utf8')).matchAll(/<image id="\d+" name="([^"]+)" width="(\d+)" height="(\d+)"/g)].map((match) => match.slice(1));
    expect(sizes).toEqual(PHOTOS.map((photo) => [photo.name, String(photo.width), String(photo.height)]));
    const again = await importAnnotations(out, { settings });
    expect(again.report.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    expect(again.annotations.frameSizes).toEqual(annotations.frameSizes);
    expect(boxesOf(again.annotations)).toEqual(madeBoxes.map((box) => box.replace('150.237 60 210.125', '150.24 60 210.13')));
  });

  it('says that CVAT for video, with one frame size, cannot keep each photo’s', async () => {
    const { folder } = await photoProject();
    const annotations = await readAnnotationsFile(join(folder, 'annotations.json'));
    const report = await exportAnnotations(annotations, 'cvat-video', join(await tempDir(), 'photos.xml'), { name: 'photos', labels: settings.labels });
    expect(report.notKept).toContain(
      'each image’s own size (512x366, 301x400, 640x240): CVAT for video has one, 512x366; CVAT for images and Pascal VOC keep each image’s',
    );
  });

  it('takes each file’s <size> when the project has no images, and checks boxes against it', async () => {
    const { voc } = await writePhotoCollection(await tempDir());
    const { annotations, report } = await importAnnotations(voc, { settings });
    expect(report.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    expect(annotations.frameSizes).toEqual(PHOTOS.map(({ width, height }) => ({ width, height })));
    expect(boxesOf(annotations)).toEqual(madeBoxes);
  });

  it('names the file whose <size> is not its image’s, and the box outside its own photo', async () => {
    const folder = await tempDir();
    const { images, voc } = await writePhotoCollection(folder);
    const tall = PHOTOS[1]!;
    const outside = { ...tall.boxes[0]!, ymin: 395, ymax: 420 };
    await writeFile(join(voc, 'maksssksksss1.xml'), vocXml({ ...tall, boxes: [tall.boxes[0]!, outside] }, { width: 512, height: 366 }));
    const report = await importIntoProject(folder, voc, { media: images });
    const file = join(voc, 'maksssksksss1.xml');
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ severity: 'warning', file, message: expect.stringContaining("<size> 512x366 differs from its image's own 301x400") }),
        expect.objectContaining({ severity: 'warning', file, line: 23, message: expect.stringContaining('sticks out of the 301x400 frame') }),
      ]),
    );
    // The box that was clipped in issue 17 is kept whole, checked against its own image.
    const annotations = await readAnnotationsFile(join(folder, 'annotations.json'));
    expect(boxesOf(annotations)).toEqual([...madeBoxes, '1 75 395 152 400'].sort());
  });

  it('checks files of other sizes against a project’s video, naming each', async () => {
    const { voc } = await writePhotoCollection(await tempDir());
    const media = { kind: 'video' as const, path: 'walkway.mp4', fps: 25, frameCount: 3, width: 512, height: 366 };
    const { annotations, report } = await importAnnotations(voc, { settings: { ...settings, media } });
    expect(report.problems).toEqual(
      expect.arrayContaining(
        ['maksssksksss1.xml', 'maksssksksss2.xml'].map((name) =>
          expect.objectContaining({
            severity: 'error',
            file: join(voc, name),
            message: expect.stringContaining("but the project's video is 512x366; boxes are not rescaled"),
          }),
        ),
      ),
    );
    expect([annotations.frameSizes, annotations.stills]).toEqual([undefined, undefined]);
  });

  it('validates against the project’s photos as an import would', async () => {
    const { folder, voc } = await photoProject();
    const printed: string[] = [];
    const code = await validateCommand.run({ project: folder }, { json: true, output: { out: (text) => printed.push(text), err: () => {} } }, [voc]);
    const report = JSON.parse(printed.join('')) as ImportReport;
    expect([code, report.boxes, report.problems.filter((problem) => problem.severity === 'error')]).toEqual([0, 5, []]);
  });

  it('refuses a project file whose frame sizes do not match its frames, naming the field', async () => {
    const { folder } = await photoProject();
    const file = join(folder, 'annotations.json');
    const annotations = await readAnnotationsFile(file);
    await writeFile(file, JSON.stringify({ ...annotations, frameSizes: annotations.frameSizes!.slice(1) }));
    await expect(AnnotationStore.load(folder, ['MW', 'NM', 'ND'])).rejects.toMatchObject({ where: { file, field: 'frameSizes' } });
  });

  it('refuses a project file with a box far outside its photo, naming the track, the photo and its size', async () => {
    const { folder } = await photoProject();
    const file = join(folder, 'annotations.json');
    const annotations = await readAnnotationsFile(file);
    const t = annotations.tracks.findIndex((track) => track.shapes[0]!.frame === 1);
    annotations.tracks[t]!.shapes[0]!.ybr = 900;
    await writeFile(file, annotationsFileText(annotations));
    await expect(AnnotationStore.load(folder, ['MW', 'NM', 'ND'])).rejects.toMatchObject({
      message: `${file}: "tracks[${t}].ybr[0]" (track ${annotations.tracks[t]!.id}'s box on frame 1, maksssksksss1.png, 301x400) must be above ytl (271) and at most 800, got 900`,
      where: { file, field: `tracks[${t}].ybr[0]` },
    });
  });
});

describe('crops from photos of different sizes', () => {
  it('cuts every crop from its own photo, at its own scale', async () => {
    const { folder } = await photoProject();
    const options = { ...DATASET_DEFAULTS, stride: 1, split: [1, 0, 0] as [number, number, number], minSize: 0 };
    const summary = await buildDataset(folder, 'photos', options, { signal: new AbortController().signal, progress: () => {}, log: () => {} });
    expect(summary.crops).toBe(5);
    const manifest = await readJson<DatasetManifest>(join(folder, 'datasets', 'photos', 'manifest.json'));
    for (const sample of manifest.samples) {
      const photo = PHOTOS[sample.frame]!;
      const made = photo.boxes.find((box) => box.xmin === sample.box.xtl && box.ymin === sample.box.ytl)!;
      expect([sample.box.xbr, sample.box.ybr]).toEqual([made.xmax, made.ymax]);
      expect(sample.region).toEqual(cropRegion(sample.box, options, photo.width, photo.height));
      // The crop's middle is the box's own colour: cut from its photo, where the box is.
      const { data, info } = await sharp(join(folder, 'datasets', 'photos', sample.file))
        .raw()
        .toBuffer({ resolveWithObject: true });
      const middle = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * info.channels;
      expect([...data.subarray(middle, middle + 3)]).toEqual(made.color);
    }
  });

  it('`maskbench dataset` takes every photo unless given --stride', async () => {
    const { folder } = await photoProject();
    const built = async (name: string, ...flags: string[]) => {
      expect(
        await runCli(['dataset', '--project', folder, '--name', name, '--split', '1,0,0', '--min-size', '0', ...flags], { out: () => {}, err: () => {} }),
      ).toBe(0);
      return readJson<DatasetManifest>(join(folder, 'datasets', name, 'manifest.json'));
    };
    expect(await built('all')).toMatchObject({ options: { stride: 1 }, counts: { train: { MW: 3, NM: 2 } } });
    expect((await built('some', '--stride', '2')).options.stride).toBe(2);
  });

  it('gives the model, when predicting, the very crops the dataset holds', async () => {
    const { folder } = await photoProject();
    const options = { ...DATASET_DEFAULTS, stride: 1, split: [1, 0, 0] as [number, number, number], minSize: 0 };
    await buildDataset(folder, 'photos', options, { signal: new AbortController().signal, progress: () => {}, log: () => {} });
    const manifest = await readJson<DatasetManifest>(join(folder, 'datasets', 'photos', 'manifest.json'));
    // A model that remembers what it was shown, crop by crop.
    const seen: Buffer[] = [];
    const bytes = options.size * options.size * 3;
    const classifier: Classifier = {
      backend: 'test',
      classify: async (pixels, count) => {
        for (let i = 0; i < count; i++) seen.push(Buffer.from(pixels.subarray(i * bytes, (i + 1) * bytes)));
        return Array.from({ length: count }, () => [1, 0, 0]);
      },
      explain: async () => {
        throw new Error('not asked');
      },
      dispose: () => {},
    };
    const dataset = { name: 'photos', options, hash: '', size: options.size, labels: manifest.labels, counts: manifest.counts, classWeights: null };
    const predicted = await predictBoxes(
      await projectSource(folder),
      dataset,
      classifier,
      { from: 0, to: PHOTOS.length - 1 },
      {
        signal: new AbortController().signal,
        progress: () => {},
        log: () => {},
      },
    );
    expect(predicted).toHaveLength(5);
    for (const sample of manifest.samples) {
      const index = predicted.findIndex((box) => box.frame === sample.frame && box.trackId === sample.trackId);
      const crop = await sharp(join(folder, 'datasets', 'photos', sample.file))
        .removeAlpha()
        .raw()
        .toBuffer();
      expect(seen[index]!.equals(crop)).toBe(true);
    }
  });

  it('refuses a photo that has changed size since its boxes were drawn, naming it', async () => {
    const { folder } = await photoProject();
    const tall = join(folder, 'images', 'maksssksksss1.png');
    await sharp({ create: { width: 300, height: 400, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .png()
      .toFile(tall);
    const options = { ...DATASET_DEFAULTS, stride: 1, split: [1, 0, 0] as [number, number, number], minSize: 0 };
    await expect(buildDataset(folder, 'photos', options, { signal: new AbortController().signal, progress: () => {}, log: () => {} })).rejects.toMatchObject({
      message: expect.stringContaining('is 300x400, but its boxes were drawn on a 301x400 image'),
      where: { file: tall },
    });
  });
});

describe('photos are not a sequence', () => {
  it('links boxes of photos into tracks only when asked to', async () => {
    const folder = await tempDir();
    const box = { label: 'with_mask', xmin: 20, ymin: 20, xmax: 60, ymax: 70, color: [200, 0, 0] as [number, number, number] };
    const photos = [
      { name: 'a.png', width: 200, height: 100, color: [0, 0, 0] as [number, number, number], boxes: [box] },
      { name: 'b.png', width: 100, height: 200, color: [0, 0, 0] as [number, number, number], boxes: [box] },
    ];
    const { voc } = await writePhotoCollection(folder, photos);
    const apart = await importAnnotations(voc, { settings });
    expect([apart.report.tracks, apart.annotations.tracks.map((track) => track.shapes.map((shape) => shape.outside))]).toEqual([2, [[false, true], [false]]]);
    const linked = await importAnnotations(voc, { settings, linkThreshold: 0.3 });
    expect(linked.report.tracks).toBe(1);
  });

  /** `count` photos of two sizes, each with a MW and an NM box, every box a track of its own. */
  function photoAnnotations(count: number): ProjectAnnotations {
    const tracks: AnnotationTrack[] = [];
    for (let frame = 0; frame < count; frame++) {
      for (const label of ['MW', 'NM']) {
        const shape = { frame, xtl: 10, ytl: 10, xbr: 50, ybr: 60, label, occluded: false, outside: false, zOrder: 0, attributes: {} };
        tracks.push({ id: tracks.length, shapes: frame + 1 < count ? [shape, { ...shape, frame: frame + 1, outside: true }] : [shape] });
      }
    }
    const frameSizes = Array.from({ length: count }, (_, frame) => (frame % 2 ? { width: 300, height: 400 } : { width: 512, height: 366 }));
    const frameNames = Array.from({ length: count }, (_, frame) => `photo${frame}.png`);
    return { schema: ANNOTATIONS_SCHEMA, width: 512, height: 366, frameSizes, stills: true, frameCount: count, frameNames, tracks };
  }

  it('draws a new box on its photo alone, clipped to that photo’s own size', () => {
    const annotations = photoAnnotations(3);
    const { after } = applyEdit(annotations, { type: 'create-track', frame: 1, box: { xtl: 250, ytl: 300, xbr: 320, ybr: 390 }, label: 'MW' }, [
      'MW',
      'NM',
      'ND',
    ]);
    const track = [...after.values()][0]!;
    expect(track.shapes.map(({ frame, outside, xtl, ytl, xbr, ybr }) => [frame, outside, xtl, ytl, xbr, ybr])).toEqual([
      [1, false, 250, 300, 300, 390],
      [2, true, 250, 300, 300, 390],
    ]);
  });

  it('brings a box back into view on a smaller photo clipped to it, or refuses when none of it is there', () => {
    const labels = ['MW', 'NM', 'ND'];
    const annotations = photoAnnotations(3);
    const drawn = (xtl: number) => {
      const { after } = applyEdit(annotations, { type: 'create-track', frame: 0, box: { xtl, ytl: 300, xbr: xtl + 100, ybr: 360 }, label: 'MW' }, labels);
      return [...after.keys()][0]!;
    };
    const [across, beyond] = [drawn(250), drawn(400)];
    const { after } = applyEdit(annotations, { type: 'set-outside', trackId: across, frame: 1, outside: false }, labels);
    expect(after.get(across)!.shapes.map(({ frame, outside, xtl, ytl, xbr, ybr }) => [frame, outside, xtl, ytl, xbr, ybr])).toEqual([
      [0, false, 250, 300, 350, 360],
      [1, false, 250, 300, 300, 360],
    ]);
    const before = structuredClone(annotations.tracks);
    expect(() => applyEdit(annotations, { type: 'set-outside', trackId: beyond, frame: 1, outside: false }, labels)).toThrow(
      expect.objectContaining({
        message: `track ${beyond}'s last box (400, 300) lies outside frame 1 (300x400): draw a new box there instead`,
        where: { field: 'frame' },
      }),
    );
    expect(annotations.tracks).toEqual(before);
  });

  it('splits photos by image by default, with the seed, and says why', () => {
    const annotations = photoAnnotations(60);
    const plan = planDataset(annotations, { ...DATASET_DEFAULTS, stride: 1 });
    expect(plan.splitBy).toBe('image');
    expect(plan.warnings).toContainEqual(expect.stringContaining('split by image (seed 1), the default for photos'));
    const partsOf = new Map<number, Set<string>>();
    for (const sample of plan.samples) partsOf.set(sample.frame, (partsOf.get(sample.frame) ?? new Set()).add(sample.split));
    expect([...partsOf.values()].every((parts) => parts.size === 1)).toBe(true);
    expect(SPLITS.map((split) => plan.samples.filter((sample) => sample.split === split).length)).toEqual([84, 18, 18]);
    // Another seed puts other photos in each part; the same seed the same ones.
    const framesIn = (seed: number) =>
      planDataset(annotations, { ...DATASET_DEFAULTS, stride: 1, seed })
        .samples.filter((s) => s.split === 'test')
        .map((s) => s.frame);
    expect(framesIn(2)).not.toEqual(framesIn(1));
    expect(framesIn(1)).toEqual(framesIn(1));
  });

  it('warns that a stride leaves photos out, which it need not do for photos', () => {
    const taken = (stride: number) => planDataset(photoAnnotations(400), { ...DATASET_DEFAULTS, stride }).warnings.filter((w) => w.includes('photo is taken'));
    expect(taken(DATASET_DEFAULTS.stride)).toEqual([expect.stringMatching(/^only every 20th photo is taken \(stride 20\).*stride 1 takes them all$/)]);
    expect(taken(2)).toEqual([expect.stringContaining('only every 2nd photo')]);
    expect(taken(1)).toEqual([]);
  });

  it('allows a time or person split of photos, with a warning', () => {
    // The default gap (50 frames) is not left between parts of photos, nor checked against their count.
    const plan = planDataset(photoAnnotations(60), { ...DATASET_DEFAULTS, stride: 1, splitBy: 'time' });
    expect(plan.splitBy).toBe('time');
    expect(plan.warnings).toContainEqual(expect.stringContaining('a time split of separate photos'));
    expect(plan.warnings.join()).not.toMatch(/shorter than the stride|-frame gaps/);
    expect(SPLITS.map((split) => plan.samples.filter((sample) => sample.split === split).length)).toEqual([84, 18, 18]);
    expect(() => checkAgainstClip({ ...DATASET_DEFAULTS, stride: 1, splitBy: 'time' }, { frameCount: 6, stills: true })).not.toThrow();
    expect(() => checkAgainstClip({ ...DATASET_DEFAULTS, stride: 1, splitBy: 'time' }, { frameCount: 6 })).toThrow(
      /"options.gap" must be a whole number of frames from 0 to 6/,
    );
    const byPerson = planDataset(photoAnnotations(60), { ...DATASET_DEFAULTS, stride: 1, splitBy: 'track' });
    expect(byPerson.warnings).toContainEqual(expect.stringContaining('a split by person of separate photos'));
    const random = planDataset(photoAnnotations(60), { ...DATASET_DEFAULTS, stride: 1, splitBy: 'random' });
    expect(random.warnings).toContainEqual(expect.stringMatching(/^random split of photos: the boxes of one photo land in different parts/));
    expect(random.warnings.join()).not.toContain('frames');
  });

  it('still splits a video’s frames by time by default, and warns of a split by image there', () => {
    const { stills: _, frameSizes: __, ...sequence } = photoAnnotations(60);
    const plan = planDataset(sequence, { ...DATASET_DEFAULTS, stride: 1, gap: 0 });
    expect(plan.splitBy).toBe('time');
    expect(plan.warnings.join()).not.toContain('photos');
    const byImage = planDataset(sequence, { ...DATASET_DEFAULTS, stride: 1, splitBy: 'image' });
    expect(byImage.warnings).toContainEqual(expect.stringContaining("a split by image of a video's frames"));
  });
});

describe('cross-fitting photos', () => {
  const quiet = () => ({ signal: new AbortController().signal, progress: () => {}, log: () => {} });
  /** Six photos of different sizes with two boxes each: MW only on the first three, an MW and an NM on the others. */
  const photos: Photo[] = Array.from({ length: 6 }, (_, index) => ({
    name: `photo${index}.png`,
    width: 200 + 40 * index,
    height: 300 - 20 * index,
    color: [30 * index, 30 * index, 30 * index],
    boxes: [
      { label: 'with_mask', xmin: 10, ymin: 10, xmax: 70, ymax: 90, color: [250, 0, 0] },
      { label: index < 3 ? 'with_mask' : 'without_mask', xmin: 100, ymin: 100, xmax: 160, ymax: 180, color: index < 3 ? [250, 0, 0] : [0, 250, 0] },
    ],
  }));

  /** The photos as a project, with a run trained on them (a dataset split by image, its default). */
  async function trainedRun(): Promise<string> {
    const folder = await tempDir();
    const { images, voc } = await writePhotoCollection(folder, photos);
    await importIntoProject(folder, voc, { media: images });
    await buildDataset(folder, 'photos', { ...DATASET_DEFAULTS, classes: 'MW,NM', ndPolicy: 'drop', stride: 1, size: 32, minSize: 0 }, quiet());
    await trainRun(
      { project: folder, runId: 'run', options: { ...TRAINING_DEFAULTS, dataset: 'photos', model: 'conv-bn', epochs: 1, batchSize: 4, backend: 'wasm' } },
      quiet(),
    );
    return folder;
  }

  it('holds out whole photos by time with no gap to the rest, which the folds train on', async () => {
    const folder = await trainedRun();
    const logged: string[] = [];
    const predictions = await crossFitHere({ project: folder, runId: 'run', folds: 3 }, { ...quiet(), log: (message) => logged.push(message) });
    expect(predictions).toMatchObject({ complete: true, crossFit: { folds: 3, by: 'time' } });
    expect(predictions.boxes).toHaveLength(12);
    expect(logged).toContain('Photos are not a sequence: each fold holds out whole photos, in the order of their files, with no gap to the rest');
    expect(logged).toContain('Fold 1 of 3: training on all but photos 0-1');
    // The dataset's gap (50 frames) would have left nothing to train on; each fold trains and validates on every other photo.
    for (const [index, held] of [
      [0, 1],
      [2, 3],
      [4, 5],
    ].entries()) {
      const manifest = await readJson<DatasetManifest>(projectPaths(folder).datasetManifest(`photos-fold${index + 1}of3`));
      const framesOf = (test: boolean) =>
        [...new Set(manifest.samples.filter((sample) => (sample.split === 'test') === test).map((sample) => sample.frame))].sort();
      expect(framesOf(true)).toEqual(held);
      expect(framesOf(false)).toEqual([0, 1, 2, 3, 4, 5].filter((frame) => !held.includes(frame)));
    }
  }, 120_000);

  it('removes the fold runs and datasets of a cross-fit that fails, keeps the last complete one, and says what it kept', async () => {
    const folder = await trainedRun();
    const files = runPaths(projectPaths(folder).run('run'));
    const state = async () => ({
      runs: (await readdir(projectPaths(folder).runs)).sort(),
      datasets: (await readdir(projectPaths(folder).datasets)).sort(),
      plans: (await readdir(files.predictions)).filter((file) => file.startsWith('cross-fit-plan')),
    });
    /** A 2-fold cross-fit: the first fold trains on photos 3-5, the second on photos 0-2, whose boxes are all MW. */
    const failing = async () => {
      const logged: string[] = [];
      await expect(crossFitHere({ project: folder, runId: 'run', folds: 2 }, { ...quiet(), log: (message) => logged.push(message) })).rejects.toThrow(
        'Dataset "photos-fold2of2" has only one class to train on (MW)',
      );
      return logged.at(-1);
    };
    const before = await state();
    expect(before.plans).toEqual([]);
    // No cross-fit before: the first fold's scores are kept as partial, and nothing the cross-fit made stays.
    const partial = `The cross-fit stopped before its end: its fold runs went to the trash and their datasets were removed; the folds scored until then are kept in ${files.crossFitPredictions}, marked partial`;
    expect(await failing()).toBe(partial);
    expect(await state()).toEqual(before);
    expect(await readJson(files.crossFitPredictions)).toMatchObject({ complete: false, boxes: expect.objectContaining({ length: 6 }) });
    expect((await readdir(projectPaths(folder).trashedRuns)).sort()).toEqual(['run-fold1of2', 'run-fold2of2']);
    // Again: still no cross-fit to keep (the failed one's plan did not become the last).
    expect(await failing()).toBe(partial);
    expect(await state()).toEqual(before);
    // A complete cross-fit, then a failing one: the complete one stays whole, its fold runs and datasets too.
    await crossFitHere({ project: folder, runId: 'run', folds: 3 }, quiet());
    const complete = await state();
    const predictions = await readFile(files.crossFitPredictions, 'utf8');
    expect(await failing()).toBe(
      "The cross-fit stopped before its end: its fold runs went to the trash and their datasets were removed; run run's last cross-fit (3 folds by time) is kept as it was",
    );
    expect(await state()).toEqual(complete);
    expect(await readFile(files.crossFitPredictions, 'utf8')).toBe(predictions);
    expect(await reviewRun(folder, 'run', 5)).toMatchObject({ outOfSample: true, complete: true });
  }, 120_000);
});
