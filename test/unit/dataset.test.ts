import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { ProjectAnnotations } from '../../src/shared/annotations';
import { DATASET_DEFAULTS, SPLITS, type DatasetManifest, type DatasetOptions } from '../../src/shared/dataset';
import { boxAt } from '../../src/shared/keyframes';
import { buildDataset } from '../../src/core/dataset/build-dataset';
import { besidePath } from '../../src/core/fs/replace';
import { cropRegion } from '../../src/core/dataset/crop-region';
import { readDatasetManifest } from '../../src/core/dataset/dataset-manifest';
import { checkAgainstClip } from '../../src/core/dataset/dataset-options';
import { datasetOptionsSchema } from '../../src/shared/dataset';
import { read } from '../../src/shared/schema';
import { planDataset } from '../../src/core/dataset/plan-dataset';
import type { JobContext } from '../../src/core/jobs/job-runner';
import { importIntoProject } from '../../src/core/project/import-into-project';
import { ffmpegPath } from '../../src/core/media/ffmpeg';
import { useTempDirs } from '../support/temp-dir';
import { readAnnotationsFile } from '../support/annotations-file';
import { annotationsFileText } from '../../src/core/project/annotations-file';

const project = inject('sampleProject');
let annotations: ProjectAnnotations;
const options = (change: Partial<DatasetOptions> = {}): DatasetOptions => ({ ...DATASET_DEFAULTS, stride: 2, gap: 10, ...change });
const context = (signal = new AbortController().signal): JobContext => ({ signal, progress: () => {}, log: () => {} });

beforeAll(async () => {
  annotations = await readAnnotationsFile(join(project, 'annotations.json'));
});

describe('planning a dataset', () => {
  it('splits by time into consecutive parts with a gap, so no neighbouring frames straddle two parts', () => {
    const plan = planDataset(annotations, options());
    const framesOf = (split: string) => plan.samples.filter((sample) => sample.split === split).map((sample) => sample.frame);
    const [train, val, test] = SPLITS.map(framesOf);
    expect(Math.max(...train!)).toBeLessThan(Math.min(...val!));
    expect(Math.max(...val!)).toBeLessThan(Math.min(...test!));
    expect(Math.min(...val!) - Math.max(...train!)).toBeGreaterThan(10);
    expect(Math.min(...test!) - Math.max(...val!)).toBeGreaterThan(10);
    expect(plan.splits.train.frames).toEqual([Math.min(...train!), Math.max(...train!)]);
    expect(plan.samples.every((sample) => sample.frame % 2 === 0)).toBe(true);
    expect(plan.warnings.some((warning) => warning.includes('fall in the 10-frame gaps'))).toBe(true);
  });

  it('splits by track so that no person is in two parts', () => {
    const plan = planDataset(annotations, options({ splitBy: 'track', stride: 1, split: [0.6, 0.2, 0.2] }));
    const parts = new Map<number, Set<string>>();
    for (const sample of plan.samples) parts.set(sample.trackId, (parts.get(sample.trackId) ?? new Set()).add(sample.split));
    expect([...parts.values()].every((splits) => splits.size === 1)).toBe(true);
    expect(new Set(plan.samples.map((sample) => sample.split)).size).toBeGreaterThan(1);
  });

  it('warns that a random split leaks neighbouring frames', () => {
    expect(planDataset(annotations, options({ splitBy: 'random' })).warnings.join()).toContain('random split');
  });

  it('merges ND into NM, or drops it, for the two-class setting', () => {
    const three = planDataset(annotations, options());
    const merged = planDataset(annotations, options({ classes: 'MW,NM', ndPolicy: 'merge' }));
    const dropped = planDataset(annotations, options({ classes: 'MW,NM', ndPolicy: 'drop' }));
    const total = (plan: ReturnType<typeof planDataset>, label: string) => SPLITS.reduce((sum, split) => sum + (plan.counts[split][label] ?? 0), 0);
    expect(merged.labels).toEqual(['MW', 'NM']);
    expect(total(merged, 'NM')).toBe(total(three, 'NM') + total(three, 'ND'));
    expect(total(dropped, 'NM')).toBe(total(three, 'NM'));
    expect(dropped.warnings.join()).toContain('ND boxes were dropped');
  });

  it('undersamples each part to its rarest class, the same way for the same seed; or gives class weights', () => {
    const plan = planDataset(annotations, options({ stride: 1, balance: 'undersample' }));
    for (const split of SPLITS) expect(new Set(Object.values(plan.counts[split]).filter((count) => count > 0)).size).toBe(1);
    expect(planDataset(annotations, options({ stride: 1, balance: 'undersample' })).samples).toEqual(plan.samples);
    const weighted = planDataset(annotations, options({ balance: 'weights' }));
    const train = weighted.counts.train;
    const total = Object.values(train).reduce((sum, count) => sum + count, 0);
    expect(weighted.classWeights!.MW).toBeCloseTo(total / (3 * train.MW!), 6);
  });

  it('leaves out small and occluded boxes when asked, and says how many', () => {
    const all = planDataset(annotations, options({ minSize: 0 })).samples.length;
    const plan = planDataset(annotations, options({ minSize: 15, skipOccluded: true }));
    expect(plan.samples.length).toBeLessThan(all);
    expect(plan.samples.every((sample) => Math.min(sample.box.xbr - sample.box.xtl, sample.box.ybr - sample.box.ytl) >= 15)).toBe(true);
    expect(plan.warnings.join()).toMatch(/boxes smaller than 15 px were left out/);
  });

  it('leaves out boxes mostly outside the frame, naming their frames, and warns of a gap shorter than the stride', () => {
    const shape = (frame: number, xtl: number) => ({
      frame,
      xtl,
      ytl: 10,
      xbr: xtl + 40,
      ybr: 110,
      label: 'MW',
      occluded: false,
      outside: false,
      zOrder: 0,
      attributes: {},
    });
    // Track 1 walks off the right edge from frame 50 on; track 2 stays in view.
    const walking: ProjectAnnotations = {
      schema: 2,
      width: 200,
      height: 150,
      frameCount: 100,
      frameNames: [],
      tracks: [
        { id: 1, shapes: [shape(0, 20), shape(49, 20), shape(50, 190)] },
        { id: 2, shapes: [shape(0, 60)] },
      ],
    };
    const plan = planDataset(walking, options({ stride: 10, gap: 5 }));
    expect(plan.samples.filter((sample) => sample.trackId === 1).every((sample) => sample.frame < 50)).toBe(true);
    expect(plan.samples.some((sample) => sample.trackId === 2 && sample.frame >= 50)).toBe(true);
    expect(plan.warnings).toEqual(
      expect.arrayContaining([
        'boxes mostly outside the frame were left out, on frames 50, 60, 70, 80, 90',
        'the gap (5 frames) is shorter than the stride (10): frames either side of a cut can be near-identical',
      ]),
    );
    // A box partly outside keeps only its part in the frame.
    const edge = planDataset(
      {
        ...walking,
        tracks: [
          { id: 3, shapes: [shape(0, 170)] },
          { id: 2, shapes: [shape(0, 60)] },
        ],
      },
      options({ stride: 10, gap: 5 }),
    );
    expect(edge.samples.find((sample) => sample.trackId === 3)!.box).toEqual({ xtl: 170, ytl: 10, xbr: 200, ybr: 110 });
  });

  it('refuses a plan that leaves a part empty, naming the option to change', () => {
    expect(() => planDataset(annotations, options({ stride: 80 }))).toThrowError(
      expect.objectContaining({
        code: 'invalid-request',
        where: { field: 'split' },
        message: 'The val part would hold no crops: take more frames (a smaller "stride"), a smaller "gap", or another "split"',
      }),
    );
    // A gap as long as a part leaves nothing of it, whatever the stride: the error says so, with the part's frames.
    expect(() => planDataset({ ...annotations, frameCount: 300 }, options({ stride: 1, gap: 50 }))).toThrowError(
      expect.objectContaining({
        where: { field: 'split' },
        message:
          'The val part would hold no crops: the 50-frame gap before it covers all of its 45 frames (210 to 254); take a smaller "gap" (under 45), a longer clip, or another "split"',
      }),
    );
  });

  it.each([
    [{ stride: 0 }, 'options.stride'],
    [{ stride: 500 }, 'options.stride'],
    [{ split: [0.5, 0.2, 0.2] as [number, number, number] }, 'options.split'],
    [{ size: 300 }, 'options.size'],
    [{ headFraction: 0 }, 'options.headFraction'],
    [{ gap: -1 }, 'options.gap'],
  ])('refuses %j, naming the option', (change, field) => {
    expect(() => checkAgainstClip(read(datasetOptionsSchema, options(change), { field: 'options' }), { frameCount: 160 })).toThrowError(
      expect.objectContaining({ code: 'invalid-request', where: { field } }),
    );
  });
});

describe('crop regions', () => {
  const box = { xtl: 100, ytl: 50, xbr: 140, ybr: 170 };

  it('takes the head as the top of the box, squared around its centre, with padding', () => {
    const head = cropRegion(box, { crop: 'head', headFraction: 0.25, headWidth: 'box', padding: 0, square: true }, 640, 360);
    expect(head).toEqual({ xtl: 100, ytl: 45, xbr: 140, ybr: 85 });
    const padded = cropRegion(box, { crop: 'box', headFraction: 0.25, headWidth: 'box', padding: 0.1, square: false }, 640, 360);
    expect(padded).toEqual({ xtl: 96, ytl: 38, xbr: 144, ybr: 182 });
  });

  it('takes the head at its own width when asked: a square as tall as the head part, around its centre', () => {
    const own = { crop: 'head', headFraction: 0.25, headWidth: 'head', padding: 0, square: true } as const;
    expect(cropRegion(box, own, 640, 360)).toEqual({ xtl: 105, ytl: 50, xbr: 135, ybr: 80 });
    expect(cropRegion(box, { ...own, padding: 0.1 }, 640, 360)).toEqual({ xtl: 102, ytl: 47, xbr: 138, ybr: 83 });
    expect(cropRegion(box, { ...own, square: false }, 640, 360)).toEqual({ xtl: 105, ytl: 50, xbr: 135, ybr: 80 });
  });

  it('takes a box the frame’s bottom edge cuts short as tall as its width suggests, for the head’s own width only', () => {
    const own = { crop: 'head', headFraction: 0.25, headWidth: 'head', padding: 0, square: true } as const;
    // Someone 40 px wide with only the top 30 px in view: the head part is the top 30 px, not 7.5.
    expect(cropRegion({ xtl: 100, ytl: 330, xbr: 140, ybr: 360 }, own, 640, 360)).toEqual({ xtl: 105, ytl: 330, xbr: 135, ybr: 360 });
    // The same box clear of the edge is a whole (short) person.
    expect(cropRegion({ xtl: 100, ytl: 320, xbr: 140, ybr: 350 }, own, 640, 360)).toEqual({ xtl: 116.25, ytl: 320, xbr: 123.75, ybr: 327.5 });
    // The box's width keeps its old region, cut off or not.
    expect(cropRegion({ xtl: 100, ytl: 330, xbr: 140, ybr: 360 }, { ...own, headWidth: 'box' }, 640, 360)).toEqual({
      xtl: 100,
      ytl: 313.75,
      xbr: 140,
      ybr: 353.75,
    });
  });

  it('moves a region at the frame’s edge inside it rather than cutting it', () => {
    const region = cropRegion(
      { xtl: 0, ytl: 300, xbr: 30, ybr: 360 },
      { crop: 'box', headFraction: 0.25, headWidth: 'box', padding: 0.1, square: true },
      640,
      360,
    );
    expect(region.xtl).toBe(0);
    expect(region.ybr).toBe(360);
    expect(region.xbr - region.xtl).toBeCloseTo(region.ybr - region.ytl, 6);
  });
});

describe('building a dataset', () => {
  const tempDir = useTempDirs();

  async function copyProject(): Promise<string> {
    const folder = await tempDir();
    await cp(project, folder, { recursive: true });
    return folder;
  }

  it('writes a crop per planned box (and its mirrored and jittered copies) at the input size, with a manifest that matches the files', async () => {
    const folder = await copyProject();
    const summary = await buildDataset(folder, 'first', options({ size: 48, flip: true, jitter: true }), context());
    const manifest = JSON.parse(await readFile(join(folder, 'datasets', 'first', 'manifest.json'), 'utf8')) as DatasetManifest;
    const plan = planDataset(annotations, options({ size: 48, flip: true, jitter: true }));
    const inTrain = plan.samples.filter((sample) => sample.split === 'train').length;
    // Mirrored and jittered copies are for training only.
    expect(manifest.samples).toHaveLength(plan.samples.length + 2 * inTrain);
    expect(manifest.samples.filter((sample) => sample.variant !== 'original').every((sample) => sample.split === 'train')).toBe(true);
    expect(manifest.augmentation).toEqual({ materialised: ['flip', 'jitter'] });
    expect(summary.crops).toBe(manifest.samples.length);
    expect(manifest.counts).toEqual(plan.counts);
    for (const split of SPLITS) {
      for (const label of manifest.labels) {
        const files = await readdir(join(folder, 'datasets', 'first', split, label));
        expect(files.length).toBe(manifest.counts[split][label]! * (split === 'train' ? 3 : 1));
      }
    }
    const sample = manifest.samples.find((entry) => entry.variant === 'flip')!;
    const meta = await sharp(join(folder, 'datasets', 'first', sample.file)).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([48, 48, 'png']);
    // A mirrored crop is the original mirrored; a jittered one differs from the original but not wholly.
    const pixels = async (file: string) =>
      sharp(join(folder, 'datasets', 'first', file))
        .removeAlpha()
        .raw()
        .toBuffer();
    const [original, mirrored, jittered] = await Promise.all(
      ['', '_flip', '_jitter'].map((suffix) => pixels(sample.file.replace('_flip.png', `${suffix}.png`))),
    );
    const flippedBack = await sharp(mirrored!, { raw: { width: 48, height: 48, channels: 3 } })
      .flop()
      .raw()
      .toBuffer();
    expect(flippedBack.equals(original!)).toBe(true);
    const difference = jittered!.reduce((sum, value, i) => sum + Math.abs(value - original![i]!), 0) / jittered!.length;
    expect(difference).toBeGreaterThan(1);
    expect(difference).toBeLessThan(60);
  });

  it('cuts each crop from its own frame: the frame’s JPEG matches it better than any neighbouring frame', async () => {
    const folder = await copyProject();
    await buildDataset(folder, 'check', options({ stride: 8, gap: 8, padding: 0, square: false, size: 64 }), context());
    const manifest = JSON.parse(await readFile(join(folder, 'datasets', 'check', 'manifest.json'), 'utf8')) as DatasetManifest;
    const moving = manifest.samples.filter((entry) => entry.region.xbr - entry.region.xtl > 15 && entry.frame >= 16 && entry.frame <= 150);
    const chosen = [moving[0]!, moving[Math.floor(moving.length / 2)]!, moving.at(-1)!];
    for (const sample of chosen) {
      const crop = await sharp(join(folder, 'datasets', 'check', sample.file))
        .removeAlpha()
        .raw()
        .toBuffer();
      const left = Math.floor(sample.region.xtl);
      const top = Math.floor(sample.region.ytl);
      const distanceTo = async (frame: number) => {
        const reference = await sharp(join(project, 'media', 'frames', `frame_${String(frame).padStart(6, '0')}.jpg`))
          .extract({ left, top, width: Math.ceil(sample.region.xbr) - left, height: Math.ceil(sample.region.ybr) - top })
          .resize(64, 64, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
          .removeAlpha()
          .raw()
          .toBuffer();
        return crop.reduce((sum, value, i) => sum + Math.abs(value - reference[i]!), 0) / crop.length;
      };
      const distances = await Promise.all([-2, -1, 0, 1, 2].map((offset) => distanceTo(sample.frame + offset)));
      expect(distances.indexOf(Math.min(...distances)), `frame ${sample.frame}: ${distances.map((d) => d.toFixed(2)).join(' ')}`).toBe(2);
      expect(distances[2]).toBeLessThan(4);
    }
  });

  it('cuts the same crops from a video that starts a second after its sound', async () => {
    const normal = await copyProject();
    const late = await copyProject();
    // Silent audio from 0 s, the picture from 1 s: ffmpeg must not pad the picture to a constant rate.
    await promisify(execFile)(ffmpegPath(), [
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'anullsrc=r=44100:cl=mono',
      '-itsoffset',
      '1',
      '-i',
      join(project, 'media', 'walkway.mp4'),
      '-map',
      '1:v',
      '-map',
      '0:a',
      '-c:v',
      'copy',
      '-c:a',
      'aac',
      '-shortest',
      join(late, 'media', 'late.mp4'),
    ]);
    await rm(join(late, 'media', 'walkway.mp4'));
    await rename(join(late, 'media', 'late.mp4'), join(late, 'media', 'walkway.mp4'));
    await buildDataset(normal, 'every', options({ stride: 1 }), context());
    await buildDataset(late, 'every', options({ stride: 1 }), context());
    const files = (await readdir(join(normal, 'datasets', 'every', 'val', 'MW'))).slice(0, 5);
    for (const file of files) {
      const [a, b] = await Promise.all(
        [normal, late].map((root) =>
          sharp(join(root, 'datasets', 'every', 'val', 'MW', file))
            .raw()
            .toBuffer(),
        ),
      );
      expect(a!.equals(b!), file).toBe(true);
    }
  });

  it('refuses to overwrite a dataset unless forced, and leaves nothing when cancelled', async () => {
    const folder = await copyProject();
    await buildDataset(folder, 'once', options(), context());
    await expect(buildDataset(folder, 'once', options(), context())).rejects.toMatchObject({ code: 'already-exists' });
    await buildDataset(folder, 'once', options({ size: 32 }), context(), true);
    expect(JSON.parse(await readFile(join(folder, 'datasets', 'once', 'manifest.json'), 'utf8')).options.size).toBe(32);
    for (let attempt = 0; attempt < 3; attempt++) {
      // Cancelled halfway through the frames, while crops are being written.
      const controller = new AbortController();
      const halfway: JobContext = { signal: controller.signal, progress: (done) => done === 5 + attempt && controller.abort(), log: () => {} };
      await expect(buildDataset(folder, 'never', options({ stride: 1, flip: true }), halfway)).rejects.toThrow();
      expect((await readdir(join(folder, 'datasets'))).sort()).toEqual(['once']);
    }
    await expect(buildDataset(folder, '../escape', options(), context())).rejects.toMatchObject({ code: 'invalid-request', where: { field: 'name' } });
  });

  it('finds a dataset whose rebuild was killed as it moved the new one into place, and does not overwrite it unforced', async () => {
    const folder = await copyProject();
    await buildDataset(folder, 'heads', options(), context());
    const target = join(folder, 'datasets', 'heads');
    const manifest = await readFile(join(target, 'manifest.json'), 'utf8');
    // Killed between replaceWith's two moves: the dataset set aside, the rebuilt one still staged.
    await rename(target, besidePath(target, 'old'));
    const staged = besidePath(target, 'partial');
    await mkdir(staged);
    await writeFile(join(staged, 'manifest.json'), '{}');
    await expect(buildDataset(folder, 'heads', options({ size: 32 }), context())).rejects.toMatchObject({ code: 'already-exists' });
    expect(await readdir(join(folder, 'datasets'))).toEqual(['heads']);
    expect(await readFile(join(target, 'manifest.json'), 'utf8')).toBe(manifest);
  });

  it('copies unchanged crops on a rebuild, and cuts again only the boxes that changed', async () => {
    const folder = await copyProject();
    const first = await buildDataset(folder, 'again', options({ flip: true }), context());
    expect(first.reused).toBe(0);
    const same = await buildDataset(folder, 'again', options({ flip: true }), context(), true);
    expect([same.reused, same.crops]).toEqual([first.crops, first.crops]);
    // Move one box: only its crops are cut again.
    const file = join(folder, 'annotations.json');
    const edited = await readAnnotationsFile(file);
    const manifest = JSON.parse(await readFile(join(folder, 'datasets', 'again', 'manifest.json'), 'utf8')) as DatasetManifest;
    const target = manifest.samples.find((sample) => sample.variant === 'original' && sample.split === 'train')!;
    const track = edited.tracks.find((candidate) => candidate.id === target.trackId)!;
    // A box as the dataset reads it, and the keyframe in effect at its frame (whose label and flags hold there).
    const seen = (frame: number) => boxAt(track, frame);
    const inEffect = (frame: number) => track.shapes.findLast((shape) => shape.frame <= frame)!;
    const box = seen(target.frame)!;
    // Every other frame between the keyframes around it is pinned where the dataset saw it, so that only this box moves.
    const from = track.shapes.findLast((shape) => shape.frame < target.frame)?.frame ?? target.frame;
    const to = track.shapes.find((shape) => shape.frame > target.frame)?.frame ?? target.frame;
    const pinned = Array.from({ length: Math.max(0, to - from - 1) }, (_, i) => from + 1 + i)
      .filter((frame) => frame !== target.frame)
      .map((frame) => ({ ...inEffect(frame), ...seen(frame)!, frame, outside: false }));
    track.shapes = [
      ...track.shapes.filter((shape) => shape.frame !== target.frame),
      ...pinned,
      { ...inEffect(target.frame), ...box, frame: target.frame, outside: false, xtl: box.xtl + 3, xbr: box.xbr + 3 },
    ].sort((a, b) => a.frame - b.frame);
    await writeFile(file, annotationsFileText(edited));
    const changed = await buildDataset(folder, 'again', options({ flip: true }), context(), true);
    expect(changed.crops).toBe(first.crops);
    // Its crop and its mirrored copy are cut again; every other crop is copied.
    expect(changed.reused).toBe(first.crops - 2);
  });

  it('cuts every crop again when the head’s width changes, and reads a manifest from before that option as the box’s width', async () => {
    const folder = await copyProject();
    const byBox = await buildDataset(folder, 'heads', options({ crop: 'head' }), context());
    const own = await buildDataset(folder, 'heads', options({ crop: 'head', headWidth: 'head' }), context(), true);
    expect([own.crops, own.reused]).toEqual([byBox.crops, 0]);
    const file = join(folder, 'datasets', 'heads', 'manifest.json');
    const manifest = JSON.parse(await readFile(file, 'utf8')) as DatasetManifest;
    expect(manifest.options.headWidth).toBe('head');
    // Each region is a square as tall as the padded head part, not as wide as the box.
    const { headFraction, padding } = manifest.options;
    const clearOfTheEdge = manifest.samples.filter((sample) => sample.box.ybr < 359);
    expect(clearOfTheEdge.length).toBeGreaterThan(manifest.samples.length / 2);
    for (const { box, region } of clearOfTheEdge) {
      expect(region.xbr - region.xtl).toBeCloseTo((box.ybr - box.ytl) * headFraction * (1 + 2 * padding), 6);
      expect(region.ybr - region.ytl).toBeCloseTo(region.xbr - region.xtl, 6);
    }
    const { headWidth: _, ...before } = manifest.options;
    await writeFile(file, JSON.stringify({ ...manifest, options: before }));
    expect((await readDatasetManifest(folder, 'heads')).options.headWidth).toBe('box');
  });

  it('cuts crops from a folder of frames too', async () => {
    const folder = await tempDir();
    await cp(join(project, 'media', 'frames'), join(folder, 'frames'), { recursive: true });
    await importIntoProject(folder, join(project, 'annotations', 'voc'), { media: join(folder, 'frames') });
    const summary = await buildDataset(folder, 'stills', options({ stride: 4 }), context());
    expect(summary.crops).toBe(planDataset(await readAnnotationsFile(join(folder, 'annotations.json')), options({ stride: 4 })).samples.length);
  });
});
