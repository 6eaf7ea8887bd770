// Finding people with the bundled detector on the sample fixture (its boxes are exact), the draft it
// writes beside the annotations, and the errors a detector folder can earn.

import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { detectProject } from '../../src/core/detect/detect-project';
import { scoreDraft } from '../../src/core/detect/draft-score';
import { bundledDetectorFolder, loadDetector } from '../../src/core/detect/detector';
import { findPeople } from '../../src/core/detect/find-people';
import { labelDraft } from '../../src/core/detect/label-draft';
import { eachFrame } from '../../src/core/detect/project-frames';
import { faceScores, headSquare, loadFaceFinder, MIN_HEAD } from '../../src/core/detect/face-finder';
import { decodeVideoFrames } from '../../src/core/media/decode-frames';
import { generateSample } from '../../src/core/sample/generate-sample';
import { SAMPLE_DEFAULTS } from '../../src/core/sample/sample-options';
import { boxAt } from '../../src/shared/keyframes';
import { openHere } from '../../src/core/review/run-here';
import { readJsonFile } from '../../src/core/fs/json-file';
import { AnnotationStore } from '../../src/core/project/annotation-store';
import { readProjectSettings } from '../../src/core/project/project-settings';
import { useBackend } from '../../src/core/training/backends';
import { detectOptionsSchema, type DraftKeyframe, type PeopleDraft } from '../../src/shared/detect';
import { read } from '../../src/shared/schema';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();
const quiet = (signal = new AbortController().signal) => ({ signal, progress: () => {}, log: () => {} });
const options = (given: object) => read(detectOptionsSchema, given);

async function copyOfSample(): Promise<string> {
  const project = join(await tempDir(), 'sample');
  await cp(inject('sampleProject'), project, { recursive: true });
  return project;
}

describe('finding people in a project', () => {
  it('drafts tracks of the sample`s people, leaving its annotations as they were', async () => {
    const project = await copyOfSample();
    const before = await readFile(join(project, 'annotations.json'));
    const draft = await detectProject(project, options({ every: 4, to: 79 }), quiet(), openHere());
    expect(draft).toMatchObject({ complete: true, every: 4, from: 0, to: 79, framesDetected: 20, labelledBy: 'faces' });
    // Without a run, the face finder proposes ND or nothing (MW and NM need a classifier).
    expect(draft.tracks.every((track) => track.label === null || track.label === 'ND')).toBe(true);
    expect(await readJsonFile(join(project, 'drafts', 'people.json'))).toEqual(draft);
    expect(await readFile(join(project, 'annotations.json'))).toEqual(before);
    // Frame by frame this detector finds about 0.8 of the people at 0.85 precision; far below means a broken decoding.
    const truth = (await AnnotationStore.load(project, ['MW', 'NM', 'ND']))!.annotations;
    const score = scoreDraft(draft, truth);
    expect(score.recall).toBeGreaterThan(0.6);
    expect(score.precision).toBeGreaterThan(0.6);
    // Tracks, not boxes: far fewer keyframes than detections.
    const keyframes = draft.tracks.reduce((sum, track) => sum + track.keyframes.length, 0);
    expect(keyframes).toBeLessThan(score.found / 2);
  });

  it('keeps an earlier draft unless asked to replace it, and keeps what a cancelled job found', async () => {
    const project = await copyOfSample();
    await detectProject(project, options({ from: 10, to: 13 }), quiet(), openHere());
    await expect(detectProject(project, options({ to: 3 }), quiet(), openHere())).rejects.toMatchObject({ code: 'already-exists' });
    const controller = new AbortController();
    const context = { ...quiet(controller.signal), progress: (done: number) => done === 3 && controller.abort() };
    await expect(detectProject(project, options({ replace: true }), context, openHere())).rejects.toThrow();
    const kept = (await readJsonFile(join(project, 'drafts', 'people.json'))) as PeopleDraft;
    expect(kept).toMatchObject({ complete: false, framesDetected: 3, from: 0 });
  });

  it('refuses a range outside the clip, naming the field', async () => {
    const project = await copyOfSample();
    await expect(detectProject(project, options({ from: 160 }), quiet(), openHere())).rejects.toMatchObject({ where: { field: 'from' } });
    await expect(detectProject(project, options({ from: 5, to: 4 }), quiet(), openHere())).rejects.toMatchObject({ where: { field: 'to' } });
  });
});

describe('the face finder', () => {
  it('sees a face in far more heads of people facing the camera than of those whose face does not show, and leaves heads too small alone', async () => {
    const project = join(await tempDir(), 'walkway');
    await generateSample(project, { ...SAMPLE_DEFAULTS, frames: 30, seed: 3 }, quiet());
    const truth = (await AnnotationStore.load(project, ['MW', 'NM', 'ND']))!.annotations;
    const model = await loadFaceFinder();
    const seen = { face: [] as number[], none: [] as number[] };
    try {
      await decodeVideoFrames(join(project, 'media', 'walkway.mp4'), 1280, 720, 2, 15, new AbortController().signal, async (raw) => {
        const boxes = truth.tracks.flatMap((track) => boxAt(track, raw.frame) ?? []);
        faceScores(model, raw, boxes).forEach((score, i) => {
          const tall = boxes[i]!.ybr - boxes[i]!.ytl;
          // Heads under MIN_HEAD are not judged; the rest are.
          expect(score === null).toBe(headSquare(boxes[i]!).ybr - headSquare(boxes[i]!).ytl < MIN_HEAD * 1.2);
          if (score !== null && tall >= 80) (boxes[i]!.label === 'ND' ? seen.none : seen.face).push(score >= 0.4 ? 1 : 0);
        });
      });
    } finally {
      model.dispose();
    }
    const rate = (hits: number[]) => hits.reduce((a, b) => a + b, 0) / hits.length;
    expect(seen.face.length).toBeGreaterThan(30);
    expect(seen.none.length).toBeGreaterThan(5);
    expect(rate(seen.face)).toBeGreaterThan(0.6);
    expect(rate(seen.none)).toBeLessThan(rate(seen.face) - 0.2);
  });
});

describe('proposing labels for a draft', () => {
  it('judges only detected keyframes: boxes carried across the frame`s edge (score 0) cast no vote', async () => {
    const project = await copyOfSample();
    const media = (await readProjectSettings(project))!.media!;
    const truth = (await AnnotationStore.load(project, ['MW', 'NM', 'ND']))!.annotations;
    await useBackend('auto');
    const model = await loadFaceFinder();
    // Heads the face finder sees a face in, and heads large enough to judge where it sees none, a frame each.
    const faces: DraftKeyframe[] = [];
    const backs: DraftKeyframe[] = [];
    try {
      await eachFrame(project, media, { from: 0, to: 159, every: 5 }, new AbortController().signal, async (raw) => {
        const boxes = truth.tracks.flatMap((track) => boxAt(track, raw.frame) ?? []);
        const scores = faceScores(model, raw, boxes);
        const at = (i: number): DraftKeyframe => ({
          frame: raw.frame,
          xtl: boxes[i]!.xtl,
          ytl: boxes[i]!.ytl,
          xbr: boxes[i]!.xbr,
          ybr: boxes[i]!.ybr,
          score: 0.9,
        });
        const face = scores.findIndex((score) => score !== null && score >= 0.4);
        const back = scores.findIndex((score) => score !== null && score < 0.4);
        if (face >= 0 && faces.length < 2) faces.push(at(face));
        else if (back >= 0 && backs.length < 3) backs.push(at(back));
      });
      expect([faces.length, backs.length]).toEqual([2, 3]);
      const person = (carriedScore: number) => ({
        id: 1,
        label: null,
        keyframes: [...faces, ...backs.map((box) => ({ ...box, score: carriedScore }))].sort((a, b) => a.frame - b.frame),
      });
      const labeller = { kind: 'faces' as const, model, threshold: 0.4 };
      const carried = person(0);
      await labelDraft(project, media, [carried], labeller, ['MW', 'NM', 'ND'], new AbortController().signal, () => {});
      expect(carried.label).toBeNull();
      // The same boxes detected: no face on three of five, so ND.
      const detected = person(0.9);
      await labelDraft(project, media, [detected], labeller, ['MW', 'NM', 'ND'], new AbortController().signal, () => {});
      expect(detected.label).toBe('ND');
    } finally {
      model.dispose();
    }
  });
});

describe('a detector folder', () => {
  async function copyOfBundled(change: (folder: string) => Promise<void>): Promise<string> {
    const folder = join(await tempDir(), 'detector');
    await cp(bundledDetectorFolder(), folder, { recursive: true });
    await change(folder);
    return folder;
  }
  const description = async (folder: string) =>
    JSON.parse(await readFile(join(folder, 'detector.json'), 'utf8')) as { model: string; input: { layout: string }; output: { bins: number } };

  it('is said missing, or not a detector, naming the folder', async () => {
    const empty = await tempDir();
    await expect(loadDetector(join(empty, 'nothing'))).rejects.toMatchObject({ code: 'not-found', where: { file: join(empty, 'nothing') } });
    await expect(loadDetector(empty)).rejects.toMatchObject({ code: 'not-found', where: { file: join(empty, 'detector.json') } });
  });

  it('with a description that is malformed names the file and the field', async () => {
    const folder = await copyOfBundled(async (at) => {
      const json = await description(at);
      json.input.layout = 'chw';
      await writeFile(join(at, 'detector.json'), JSON.stringify(json));
    });
    await expect(loadDetector(folder)).rejects.toMatchObject({ where: { file: join(folder, 'detector.json'), field: 'input.layout' } });
  });

  it('whose model is not a graph model, or lacks its weights, is said so, naming the file', async () => {
    const layers = await copyOfBundled((at) =>
      writeFile(join(at, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: {}, weightsManifest: [] })),
    );
    await expect(loadDetector(layers)).rejects.toThrow(/is not a TensorFlow.js graph model/);
    const unweighted = await copyOfBundled(async (at) => {
      await mkdir(join(at, 'elsewhere'));
      const json = await description(at);
      json.model = 'elsewhere/model.json';
      await writeFile(join(at, 'detector.json'), JSON.stringify(json));
      await cp(join(at, 'model.json'), join(at, 'elsewhere', 'model.json'));
    });
    await expect(loadDetector(unweighted)).rejects.toMatchObject({ code: 'not-found', where: { file: join(unweighted, 'elsewhere', 'weights.bin') } });
  });

  it('whose description does not fit the model`s outputs is said so when it runs', async () => {
    const folder = await copyOfBundled(async (at) => {
      const json = await description(at);
      json.output.bins = 8;
      await writeFile(join(at, 'detector.json'), JSON.stringify(json));
    });
    const detector = await loadDetector(folder);
    const frame = { frame: 0, width: 64, height: 64, rgb: Buffer.alloc(64 * 64 * 3, 128) };
    try {
      expect(() => findPeople(detector, frame, 0.3, 1)).toThrow(/stride 8 needs outputs of shape \[1, 2704, 80\] \(classes\) and \[1, 2704, 32\]/);
      // Described as a YOLO head, which NanoDet's outputs are not.
      const yolo = { ...detector, description: { ...detector.description, output: { decoding: 'yolo' as const, objectness: true, classes: 80, person: 0 } } };
      expect(() => findPeople(yolo, frame, 0.3, 1)).toThrow(
        /"yolo" needs an output of shape \[1, candidates, 85\] or \[1, 85, candidates\].*but the model gives \[1, \d+, \d+\]/,
      );
    } finally {
      detector.model.dispose();
    }
  });
});
