import { describe, expect, it } from 'vitest';
import type { BoxGeometry, TrackBox } from '../../src/shared/annotations';
import { Camera } from '../../src/core/sample/camera';
import { createCast, type Appearance, type Facing, type Rgb } from '../../src/core/sample/cast';
import { interpolate } from '../../src/shared/keyframes';
import { groundTruth } from '../../src/core/sample/ground-truth';
import { poseCovers, posePerson } from '../../src/core/sample/pose';
import { peopleInFrame } from '../../src/core/sample/scene';
import { drawShapes } from '../../src/core/sample/raster';
import { Prng } from '../../src/core/util/prng';
import { SAMPLE_DEFAULTS, readSampleOptions } from '../../src/core/sample/sample-options';

// The default clip's people and annotations, without rendering a pixel.
const camera = new Camera(SAMPLE_DEFAULTS.width, SAMPLE_DEFAULTS.height);
const cast = createCast(camera, SAMPLE_DEFAULTS.frames, SAMPLE_DEFAULTS.fps, new Prng(SAMPLE_DEFAULTS.seed).fork(1));
const truth = groundTruth(camera, cast, SAMPLE_DEFAULTS.frames);
const boxes = truth.tracks.flatMap((track) => track.boxes);

/** A person drawn alone at 8 m: their pose, and the colour at (x, y) of the frame. */
function drawnAlone(look: Appearance, facing: Facing) {
  const pose = posePerson(camera, look, { x: 0, z: 8, facing, masked: false, phase: 0 });
  const frame = { width: camera.width, height: camera.height, rgb: new Uint8Array(camera.width * camera.height * 3) };
  drawShapes(frame, pose.shapes, pose.body);
  const at = (x: number, y: number) => [...frame.rgb.subarray((Math.floor(y) * frame.width + Math.floor(x)) * 3).slice(0, 3)];
  return { pose, at };
}

describe('the sample scene (default clip)', () => {
  it('has at least 12 people, walking toward the camera, away from it and across', () => {
    expect(truth.tracks.length).toBeGreaterThanOrEqual(12);
    const facings = new Set(cast.flatMap((person) => person.states.map((state) => state.facing)));
    expect(facings).toEqual(new Set(['front', 'back', 'left', 'right']));
  });

  it('has people who pause, and people who enter and leave during the clip', () => {
    const pauses = cast.filter((person) =>
      person.states.some((state, i) => i > 0 && state.z === person.states[i - 1]!.z && state.x === person.states[i - 1]!.x),
    );
    expect(pauses.length).toBeGreaterThan(0);
    const enterLater = truth.tracks.filter((track) => track.boxes[0]!.frame > 0);
    const leaveEarly = truth.tracks.filter((track) => track.boxes.at(-1)!.frame < SAMPLE_DEFAULTS.frames - 1);
    expect(enterLater.length).toBeGreaterThan(3);
    expect(leaveEarly.length).toBeGreaterThan(3);
  });

  it('has a busy walkway: about twenty people a frame, some eighty different people in its minute', () => {
    const perFrame = boxes.length / SAMPLE_DEFAULTS.frames;
    expect(perFrame).toBeGreaterThan(17);
    expect(perFrame).toBeLessThan(27);
    expect(truth.tracks.length).toBeGreaterThanOrEqual(70);
  });

  it('shows each class through many people, masks of several colours and shapes among them', () => {
    for (const label of ['MW', 'NM', 'ND']) {
      expect(truth.tracks.filter((track) => track.boxes.some((box) => box.label === label)).length, label).toBeGreaterThanOrEqual(10);
    }
    const masked = cast.filter((person) => person.states.some((state) => state.masked && state.facing !== 'back'));
    expect(new Set(masked.map((person) => person.appearance.mask.color.join())).size).toBeGreaterThanOrEqual(4);
    expect(new Set(masked.map((person) => person.appearance.mask.style))).toEqual(new Set(['surgical', 'cup', 'cloth']));
    // No mask the colour of a skin: a model learns to see the mask, not to know who wears a pink one.
    const skins = new Set(cast.map((person) => person.appearance.skin));
    for (const { appearance } of masked)
      for (const skin of skins)
        expect(Math.max(...skin.map((value, i) => Math.abs(value - appearance.mask.color[i]!))), `${appearance.mask.color} on ${skin}`).toBeGreaterThanOrEqual(
          40,
        );
  });

  it('labels with all three classes, and some people change label in view', () => {
    const counts = Object.fromEntries(truth.labels.map((label) => [label, boxes.filter((box) => box.label === label).length]));
    for (const label of ['MW', 'NM', 'ND']) expect(counts[label]).toBeGreaterThan(boxes.length * 0.1);
    const changing = truth.tracks.filter((track) => new Set(track.boxes.map((box) => box.label)).size > 1);
    expect(changing.length).toBeGreaterThan(0);
  });

  it('hides a face (ND) behind the figures of nearer people, not behind their boxes', () => {
    const front = { x: 0, z: 8, facing: 'front' as const, masked: false, phase: 0 };
    const pose = posePerson(camera, cast[0]!.appearance, front);
    const middle = (box: BoxGeometry) => [(box.xtl + box.xbr) / 2, (box.ytl + box.ybr) / 2] as const;
    expect(poseCovers(pose, ...middle(pose.head))).toBe(true);
    // Between the feet: inside the box, yet the scene behind shows through.
    expect(poseCovers(pose, (pose.body.xtl + pose.body.xbr) / 2, pose.body.ybr - 2)).toBe(false);
    // In the clip, some faces are labelled seen though most of the head (10 of 16 points) is inside nearer people's boxes.
    let seenPastBoxes = 0;
    for (let frame = 0; frame < SAMPLE_DEFAULTS.frames; frame += 5) {
      const people = peopleInFrame(camera, cast, frame);
      people.forEach((entry, index) => {
        const box = truth.tracks.find((track) => track.id === entry.person.id)?.boxes.find((b) => b.frame === frame);
        if (!box || box.label === 'ND') return;
        const nearer = people.slice(index + 1).map((other) => other.pose.body);
        const { head } = entry.pose;
        const grid = Array.from({ length: 16 }, (_, i) => [
          head.xtl + (((i % 4) + 0.5) / 4) * (head.xbr - head.xtl),
          head.ytl + ((Math.floor(i / 4) + 0.5) / 4) * (head.ybr - head.ytl),
        ]);
        const insideBoxes = grid.filter(([x, y]) => nearer.some((b) => x! >= b.xtl && x! <= b.xbr && y! >= b.ytl && y! <= b.ybr)).length;
        if (insideBoxes >= 10) seenPastBoxes++;
      });
    }
    expect(seenPastBoxes).toBeGreaterThan(0);
  });

  it('draws a face so that front and back differ whatever the skin: eyes with whites in front, long hair over the neck behind', () => {
    const look = { ...cast[0]!.appearance, skin: [94, 61, 42] as const, hair: [196, 160, 100] as const, hairStyle: 'long' as const };
    const drawn = (facing: Facing) => drawnAlone(look, facing);
    // Light grey or white: neither this skin nor this hair.
    const whitePixels = ({ pose, at }: ReturnType<typeof drawn>) => {
      let count = 0;
      for (let y = Math.ceil(pose.head.ytl); y < pose.head.ybr; y++)
        for (let x = Math.ceil(pose.head.xtl); x < pose.head.xbr; x++) if (at(x, y).every((channel) => channel > 150)) count++;
      return count;
    };
    const front = drawn('front');
    const back = drawn('back');
    expect(whitePixels(front)).toBeGreaterThan(0);
    expect(whitePixels(back)).toBe(0);
    // Just below the head, on the neck.
    const neck = (side: typeof front) =>
      side.at((side.pose.head.xtl + side.pose.head.xbr) / 2, side.pose.head.ybr + 0.2 * (side.pose.head.ybr - side.pose.head.ytl));
    expect(neck(front)).toEqual([...look.skin]);
    expect(neck(back)).toEqual([...look.hair]);
  });

  it('draws a face side-on as a face: skin at its front, an ear, and the hair or cap only behind and above', () => {
    const look = { ...cast[0]!.appearance, skin: [176, 122, 84] as const, hair: [30, 26, 24] as const, capColor: [200, 40, 40] as const };
    /** The share of the head's box, or of its front half (facing right), drawn in `color`. */
    const share = (hairStyle: Appearance['hairStyle'], facing: Facing, color: Rgb, part: 'whole' | 'front' = 'whole') => {
      const { pose, at } = drawnAlone({ ...look, hairStyle }, facing);
      const from = part === 'front' ? (pose.head.xtl + pose.head.xbr) / 2 : pose.head.xtl;
      let count = 0;
      let all = 0;
      for (let y = Math.ceil(pose.head.ytl); y < pose.head.ybr; y++)
        for (let x = Math.ceil(from); x < pose.head.xbr; x++, all++) if (at(x, y).join() === color.join()) count++;
      return count / all;
    };
    expect(share('short', 'right', look.skin, 'front')).toBeGreaterThan(0.4);
    expect(share('short', 'back', look.skin)).toBeLessThan(0.1);
    expect(share('short', 'right', look.hair)).toBeLessThan(0.5);
    expect(share('short', 'back', look.hair)).toBeGreaterThan(0.7);
    // The ear, a little darker than the face.
    const ear = look.skin.map((channel) => Math.floor(channel * 0.88)) as unknown as Rgb;
    expect(share('short', 'right', ear)).toBeGreaterThan(0);
    expect(share('cap', 'right', look.capColor)).toBeGreaterThan(0.1);
  });

  it('draws every shape of a figure in its own colour, however many it has', () => {
    // 300 squares of one pixel side by side, each a colour of its own: more shapes than a byte can number.
    const shapes = Array.from({ length: 300 }, (_, i) => ({
      kind: 'polygon' as const,
      points: [i, 0, i + 1, 0, i + 1, 1, i, 1],
      color: [i % 256, Math.floor(i / 256) * 100, 7] as const,
    }));
    const frame = { width: 300, height: 1, rgb: new Uint8Array(300 * 3) };
    drawShapes(frame, shapes, { xtl: 0, ytl: 0, xbr: 300, ybr: 1 });
    for (const i of [0, 255, 256, 299]) expect([...frame.rgb.subarray(i * 3, i * 3 + 3)], `pixel ${i}`).toEqual([...shapes[i]!.color]);
  });

  it('keeps every box inside the frame, with occluded and truncated boxes among them', () => {
    for (const box of boxes) {
      expect(box.xtl).toBeGreaterThanOrEqual(0);
      expect(box.ytl).toBeGreaterThanOrEqual(0);
      expect(box.xbr).toBeLessThanOrEqual(camera.width);
      expect(box.ybr).toBeLessThanOrEqual(camera.height);
      expect(box.xbr - box.xtl).toBeGreaterThanOrEqual(2);
    }
    expect(boxes.some((box) => box.occluded)).toBe(true);
    expect(boxes.some((box) => box.truncated)).toBe(true);
  });

  it('draws people smaller with distance: boxes higher in the frame are shorter', () => {
    const whole = boxes.filter((box) => !box.truncated && !box.occluded);
    const near = whole.filter((box) => box.ybr > camera.height * 0.6);
    const far = whole.filter((box) => box.ybr < camera.height * 0.4);
    const meanHeight = (list: TrackBox[]) => list.reduce((sum, box) => sum + box.ybr - box.ytl, 0) / list.length;
    expect(near.length).toBeGreaterThan(0);
    expect(far.length).toBeGreaterThan(0);
    expect(meanHeight(near)).toBeGreaterThan(2 * meanHeight(far));
  });

  it('places keyframes so that CVAT’s interpolation gives back every other box exactly', () => {
    let interpolated = 0;
    for (const track of truth.tracks) {
      const keys = track.boxes.filter((box) => box.keyframe);
      expect(track.boxes[0]!.keyframe).toBe(true);
      expect(track.boxes.at(-1)!.keyframe).toBe(true);
      for (const box of track.boxes.filter((candidate) => !candidate.keyframe)) {
        const before = keys.filter((key) => key.frame < box.frame).at(-1)!;
        const after = keys.find((key) => key.frame > box.frame)!;
        expect(interpolate(before, after, box.frame)).toEqual({ xtl: box.xtl, ytl: box.ytl, xbr: box.xbr, ybr: box.ybr });
        expect([before.label, before.occluded]).toEqual([box.label, box.occluded]);
        interpolated++;
      }
    }
    // Walking is smooth, so most boxes need no keyframe of their own.
    expect(interpolated).toBeGreaterThan(boxes.length / 2);
  });

  it('is the same clip for the same seed, and another for another seed', () => {
    const again = groundTruth(
      camera,
      createCast(camera, SAMPLE_DEFAULTS.frames, SAMPLE_DEFAULTS.fps, new Prng(SAMPLE_DEFAULTS.seed).fork(1)),
      SAMPLE_DEFAULTS.frames,
    );
    expect(again).toEqual(truth);
    const other = groundTruth(camera, createCast(camera, 300, SAMPLE_DEFAULTS.fps, new Prng(2).fork(1)), 300);
    expect(other.tracks[0]!.boxes[0]).not.toEqual(truth.tracks[0]!.boxes[0]);
  });
});

describe('sample options', () => {
  it.each([
    [{ frames: 0 }, 'frames', '"frames" must be a whole number from 1 to 100000, got 0'],
    [{ frames: 2.5 }, 'frames', '"frames" must be a whole number'],
    [{ width: 641 }, 'width', '"width" must be an even whole number from 160 to 3840, got 641'],
    [{ width: 100 }, 'width', '"width" must be an even whole number'],
    [{ height: 4000 }, 'height', '"height" must be an even whole number from 120 to 2160'],
    [{ fps: 0 }, 'fps', '"fps" must be a number from 1 to 120'],
    [{ seed: -1 }, 'seed', '"seed" must be a whole number'],
    [{ labelNoise: 0.6 }, 'labelNoise', '"labelNoise" must be a number from 0 to 0.5, got 0.6'],
    [{ labelNoise: Number.NaN }, 'labelNoise', '"labelNoise" must be a number'],
  ])('refuses %j, naming the option', (change, field, message) => {
    expect(() => readSampleOptions({ ...SAMPLE_DEFAULTS, ...change })).toThrowError(expect.objectContaining({ code: 'invalid-request', where: { field } }));
    expect(() => readSampleOptions({ ...SAMPLE_DEFAULTS, ...change })).toThrowError(message);
  });

  it('accepts the defaults', () => {
    expect(readSampleOptions(SAMPLE_DEFAULTS)).toEqual(SAMPLE_DEFAULTS);
  });
});

describe('the sample scene (any clip of 300 frames or more)', () => {
  /** Every stretch of 15% of the clip (the smallest part a time split makes), in steps of 5%. */
  function stretches(frames: number): [number, number][] {
    const length = Math.ceil(frames * 0.15);
    const step = Math.ceil(frames * 0.05);
    return Array.from({ length: Math.floor((frames - length) / step) + 1 }, (_, i) => [i * step, i * step + length]);
  }

  it.each([
    [300, 640, 360, 1],
    [300, 640, 360, 2],
    [600, 640, 360, 11],
    [600, 640, 360, 5],
    [1500, 1280, 720, 3],
  ])('has every class in every chronological part, none under a tenth: %i frames at %ix%i, seed %i', (frames, width, height, seed) => {
    const view = new Camera(width, height);
    const clip = groundTruth(view, createCast(view, frames, SAMPLE_DEFAULTS.fps, new Prng(seed).fork(1)), frames);
    // The boxes a dataset keeps by default: those 8 px or more on their shorter side.
    const kept = clip.tracks.flatMap((track) => track.boxes).filter((box) => Math.min(box.xbr - box.xtl, box.ybr - box.ytl) >= 8);
    for (const [from, to] of stretches(frames)) {
      const part = kept.filter((box) => box.frame >= from && box.frame < to);
      for (const label of ['MW', 'NM', 'ND']) {
        const share = part.filter((box) => box.label === label).length / part.length;
        expect(share, `${label} in frames ${from} to ${to - 1}`).toBeGreaterThanOrEqual(0.1);
      }
    }
  });
});
