// The sample project as written to disk (the shared fixture: 160 frames at 640x360, 5% label noise).

import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ffmpegPath } from '../../src/core/media/ffmpeg';
import { readProjectSettings } from '../../src/core/project/project-settings';
import type { LabelNoise } from '../../src/core/sample/label-noise';
import { FIXTURE_OPTIONS } from '../support/sample-fixture';

/** One box as every format states it: "frame track label xtl ytl xbr ybr". */
type BoxKey = string;
const key = (frame: number, track: string | number, label: string, c: (string | number)[]) =>
  `${frame} ${track} ${label} ${c.map((v) => Number(v).toFixed(2)).join(' ')}`;
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => ['track', 'box', 'image', 'object', 'attribute', 'label'].includes(name),
});

type Attr = { name: string; '#text': string | number };
const trackIdOf = (attributes: Attr[] | undefined) => String(attributes?.find((a) => a.name === 'track_id')?.['#text']);

async function vocBoxes(folder: string): Promise<BoxKey[]> {
  const keys: BoxKey[] = [];
  const files = (await readdir(folder)).sort();
  for (const [frame, file] of files.entries()) {
    const doc = xml.parse(await readFile(join(folder, file), 'utf8')) as {
      annotation: { object?: { name: string; bndbox: Record<string, number>; attributes: { attribute: { name: string; value: string | number }[] } }[] };
    };
    for (const object of doc.annotation.object ?? []) {
      const id = object.attributes.attribute.find((a) => a.name === 'track_id')!.value;
      const b = object.bndbox;
      keys.push(key(frame, id, object.name, [b.xmin!, b.ymin!, b.xmax!, b.ymax!]));
    }
  }
  return keys.sort();
}

async function cvatImageBoxes(file: string): Promise<BoxKey[]> {
  const doc = xml.parse(await readFile(file, 'utf8')) as { annotations: { image: { id: string; box?: (Record<string, string> & { attribute: Attr[] })[] }[] } };
  return doc.annotations.image
    .flatMap((image) => (image.box ?? []).map((box) => key(Number(image.id), trackIdOf(box.attribute), box.label!, [box.xtl!, box.ytl!, box.xbr!, box.ybr!])))
    .sort();
}

async function cvatVideoBoxes(file: string): Promise<BoxKey[]> {
  const doc = xml.parse(await readFile(file, 'utf8')) as {
    annotations: { track: { label: string; box: (Record<string, string> & { attribute: Attr[] })[] }[] };
  };
  return doc.annotations.track
    .flatMap((track) =>
      track.box
        .filter((box) => box.outside === '0')
        .map((box) => key(Number(box.frame), trackIdOf(box.attribute), track.label, [box.xtl!, box.ytl!, box.xbr!, box.ybr!])),
    )
    .sort();
}

describe('the sample project on disk', () => {
  const project = inject('sampleProject');
  let truth: BoxKey[];
  beforeAll(async () => {
    truth = await cvatVideoBoxes(join(project, 'annotations', 'cvat-video.xml'));
  });

  it('is a project the app can open, describing its video', async () => {
    const settings = await readProjectSettings(project);
    expect(settings).toMatchObject({
      name: 'Walkway (sample)',
      media: { kind: 'video', path: 'media/walkway.mp4', frameCount: 160, width: 640, height: 360, fps: 25 },
      labels: [{ name: 'MW' }, { name: 'NM' }, { name: 'ND' }],
    });
  });

  it('has an H.264 video with every frame, and every frame as a JPEG file', async () => {
    const { stderr } = await promisify(execFile)(ffmpegPath(), ['-hide_banner', '-i', join(project, 'media', 'walkway.mp4'), '-f', 'null', '-']);
    expect(stderr).toMatch(/Video: h264 .*640x360/);
    expect(stderr).toMatch(/frame=\s*160 /);
    const jpegs = await readdir(join(project, 'media', 'frames'));
    expect(jpegs).toHaveLength(160);
    expect(jpegs[0]).toBe('frame_000000.jpg');
    expect(jpegs.at(-1)).toBe('frame_000159.jpg');
  });

  it('states the same boxes, labels and track ids in Pascal VOC, CVAT for images and CVAT for video', async () => {
    expect(truth.length).toBeGreaterThan(160 * 3);
    expect(await vocBoxes(join(project, 'annotations', 'voc'))).toEqual(truth);
    expect(await cvatImageBoxes(join(project, 'annotations', 'cvat-images.xml'))).toEqual(truth);
  });

  it('names each VOC file and image after its frame, with the frame size', async () => {
    const files = await readdir(join(project, 'annotations', 'voc'));
    expect(files).toHaveLength(160);
    const doc = xml.parse(await readFile(join(project, 'annotations', 'voc', 'frame_000042.xml'), 'utf8'));
    expect(doc.annotation).toMatchObject({ filename: 'frame_000042.jpg', size: { width: 640, height: 360, depth: 3 } });
  });

  it('closes every CVAT video track with an outside box, unless the clip ends first', async () => {
    const doc = xml.parse(await readFile(join(project, 'annotations', 'cvat-video.xml'), 'utf8')) as {
      annotations: { track: { box: Record<string, string>[] }[] };
    };
    for (const track of doc.annotations.track) {
      const last = track.box.at(-1)!;
      if (Number(last.frame) < 159) {
        expect(last.outside).toBe('1');
        // The box before the outside one is a keyframe: the box CVAT holds there is the one listed.
        expect(track.box.at(-2)!.keyframe).toBe('1');
      }
      expect(track.box.filter((box) => box.outside === '1').length).toBeLessThanOrEqual(1);
      expect(track.box[0]!.keyframe).toBe('1');
    }
  });

  it('has a noisy copy that differs from the truth in exactly the listed boxes', async () => {
    const noise = JSON.parse(await readFile(join(project, 'annotations', 'noisy', 'label-noise.json'), 'utf8')) as LabelNoise;
    expect(noise.boxes).toBe(truth.length);
    expect(noise.relabelled).toHaveLength(Math.round(FIXTURE_OPTIONS.labelNoise * truth.length));
    expect(noise.shifted).toHaveLength(Math.round((FIXTURE_OPTIONS.labelNoise / 5) * truth.length));
    for (const entry of noise.relabelled) expect(entry.noisyLabel).not.toBe(entry.label);

    const noisy = new Set(await vocBoxes(join(project, 'annotations', 'noisy', 'voc')));
    const clean = new Set(truth);
    const onlyClean = [...clean].filter((box) => !noisy.has(box));
    const onlyNoisy = [...noisy].filter((box) => !clean.has(box));
    const place = (box: BoxKey) => box.split(' ').slice(0, 2).join(' ');
    const listed = new Set([...noise.relabelled, ...noise.shifted].map((entry) => `${entry.frame} ${entry.trackId}`));
    expect(new Set(onlyClean.map(place))).toEqual(listed);
    expect(new Set(onlyNoisy.map(place))).toEqual(listed);
    expect(await cvatVideoBoxes(join(project, 'annotations', 'noisy', 'cvat-video.xml'))).toEqual([...noisy].sort());
  });
});
