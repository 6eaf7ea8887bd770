// Annotations at the study's size: 4,357 frames as one Pascal VOC file each, made by the sample
// generator's own scene and writers (without rendering video). Targets: import under 5 s, and a save
// after an edit under 100 ms.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, bench, describe } from 'vitest';
import { writeCvatVideo } from '../src/core/annotations/formats/cvat-video';
import { boxesByFrame } from '../src/core/annotations/formats/frame-boxes';
import { vocFileName, writeVocFrame } from '../src/core/annotations/formats/pascal-voc';
import { importAnnotations } from '../src/core/annotations/import-annotations';
import { AnnotationStore } from '../src/core/project/annotation-store';
import { annotationsFileText } from '../src/core/project/annotations-file';
import { Camera } from '../src/core/sample/camera';
import { createCast } from '../src/core/sample/cast';
import { groundTruth } from '../src/core/sample/ground-truth';
import { Prng } from '../src/core/util/prng';
import { DEFAULT_LABEL_MAPPING, DEFAULT_LABELS } from '../src/shared/project';
import { hourOfPeople } from './hour-of-people';

const FRAMES = 4357;
const LABELS = ['MW', 'NM', 'ND'];
const folder = await mkdtemp(join(tmpdir(), 'maskbench-bench-annotations-'));
const camera = new Camera(1280, 720);
const truth = groundTruth(camera, createCast(camera, FRAMES, 25, new Prng(1).fork(1)), FRAMES);
const boxCount = truth.tracks.reduce((sum, track) => sum + track.boxes.length, 0);
await mkdir(join(folder, 'voc'));
const frames = boxesByFrame(truth);
for (let frame = 0; frame < FRAMES; frame++)
  await writeFile(join(folder, 'voc', vocFileName(truth.frameNames[frame]!)), writeVocFrame(truth, frame, frames[frame]!));
await writeFile(join(folder, 'cvat-video.xml'), writeCvatVideo(truth, { name: 'study size' }));
const settings = {
  schema: 1 as const,
  name: 'study',
  media: { kind: 'video' as const, path: 'v.mp4', fps: 25, frameCount: FRAMES, width: 1280, height: 720 },
  labels: [...DEFAULT_LABELS],
  labelMapping: { ...DEFAULT_LABEL_MAPPING },
};
const { annotations } = await importAnnotations(join(folder, 'voc'), { settings });
const store = await AnnotationStore.create(join(folder), annotations, LABELS);
const track = store.annotations.tracks[0]!;
const seconds: Record<string, number[]> = { voc: [], cvat: [], save: [] };
let edits = 0;

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
  if (hourTimes.open.length > 0)
    console.log(
      `\nAn hour of annotations (540,000 boxes in 605 tracks): open ${Math.min(...hourTimes.open).toFixed(2)} s (best of ${hourTimes.open.length}; ` +
        `the same as a schema 1 file, tracks as lists of shapes: ${Math.min(...hourTimes.openSchema1).toFixed(2)} s), ` +
        `save after an edit ${(median(hourTimes.save) * 1000).toFixed(0)} ms (median of ${hourTimes.save.length})`,
    );
  if (seconds.voc!.length === 0) return;
  const best = (name: string) => Math.min(...seconds[name]!);
  console.log(
    `\nAnnotations at the study's size (${FRAMES} frames, ${boxCount} boxes, ${truth.tracks.length} tracks): ` +
      `import ${FRAMES} VOC files ${best('voc').toFixed(2)} s, import CVAT for video ${best('cvat').toFixed(2)} s, ` +
      `save after an edit ${(best('save') * 1000).toFixed(1)} ms (median ${(median(seconds.save!) * 1000).toFixed(1)} ms)`,
  );
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed(name: string, work: () => Promise<unknown>): Promise<void> {
  const start = performance.now();
  await work();
  seconds[name]!.push((performance.now() - start) / 1000);
}

describe(`annotations, ${FRAMES} frames`, () => {
  bench(`import a Pascal VOC folder of ${FRAMES} files`, () => timed('voc', () => importAnnotations(join(folder, 'voc'), { settings })), {
    iterations: 3,
    warmupIterations: 0,
    time: 0,
  });
  bench('import the same as CVAT for video', () => timed('cvat', () => importAnnotations(join(folder, 'cvat-video.xml'), { settings })), {
    iterations: 3,
    warmupIterations: 0,
    time: 0,
  });
  bench(
    'edit a box and save annotations.json',
    () =>
      timed('save', async () => {
        edits++;
        store.apply({ type: 'move-box', trackId: track.id, frame: track.shapes[0]!.frame, box: { xtl: 10 + (edits % 50), ytl: 10, xbr: 60, ybr: 200 } });
        await store.flush();
      }),
    { iterations: 30, warmupIterations: 3, time: 0 },
  );
});

// Targets (issue 20): an hour of annotations opens in under 2 s and saves an edit in under 100 ms.
const large = join(folder, 'hour');
const hourTimes: Record<'open' | 'openSchema1' | 'save', number[]> = { open: [], openSchema1: [], save: [] };
let opened: AnnotationStore | null = null;

describe('annotations, an hour at 25 fps with six people (540,000 boxes)', () => {
  bench(
    'open it',
    async () => {
      if (!opened) {
        await mkdir(large, { recursive: true });
        await writeFile(join(large, 'annotations.json'), annotationsFileText(hourOfPeople(1920, 1080)));
      }
      const start = performance.now();
      opened = await AnnotationStore.load(large, LABELS);
      hourTimes.open.push((performance.now() - start) / 1000);
    },
    { iterations: 3, warmupIterations: 0, time: 0 },
  );
  bench(
    'open it as a schema 1 file',
    async () => {
      const older = join(folder, 'hour-schema-1');
      if (hourTimes.openSchema1.length === 0) {
        await mkdir(older, { recursive: true });
        await writeFile(join(older, 'annotations.json'), JSON.stringify({ ...hourOfPeople(1920, 1080), schema: 1 }));
      }
      const start = performance.now();
      await AnnotationStore.load(older, LABELS);
      hourTimes.openSchema1.push((performance.now() - start) / 1000);
    },
    { iterations: 3, warmupIterations: 0, time: 0 },
  );
  bench(
    'edit a box and save',
    async () => {
      const track = opened!.annotations.tracks[7]!;
      opened!.apply({
        type: 'move-box',
        trackId: track.id,
        frame: track.shapes[3]!.frame,
        box: { xtl: 10 + hourTimes.save.length, ytl: 10, xbr: 60, ybr: 200 },
      });
      const start = performance.now();
      await opened!.flush();
      hourTimes.save.push((performance.now() - start) / 1000);
    },
    { iterations: 5, warmupIterations: 0, time: 0 },
  );
});
