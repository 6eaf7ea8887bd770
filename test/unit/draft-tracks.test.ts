// From detections to a draft: the head's decoding, overlap suppression, tiling, tracks with few
// keyframes, and the draft's score against labels.

import { describe, expect, it } from 'vitest';
import type { ProjectAnnotations } from '../../src/shared/annotations';
import { draftBoxAt, notFoundAt, type DraftKeyframe, type PeopleDraft } from '../../src/shared/detect';
import { scoreDraft } from '../../src/core/detect/draft-score';
import { draftTracks, sparseKeyframes } from '../../src/core/detect/draft-tracks';
import { fitMotion, MOTION_BOXES, predictedBox } from '../../src/core/annotations/box-motion';
import { tileStarts } from '../../src/core/detect/find-people';
import { decodeGfl, suppressOverlaps } from '../../src/core/detect/gfl-decode';
import { decodeYolo } from '../../src/core/detect/yolo-decode';

const OUTPUT = { decoding: 'gfl' as const, strides: [8], bins: 3, classes: 2, person: 0 };

describe('decoding a gfl head', () => {
  // A 2 x 2 grid at stride 8; cell 1 (column 1, row 0) holds a person, cell 2 the other class.
  const scores = new Float32Array([0.1, 0.0, 0.9, 0.2, 0.05, 0.95, 0.0, 0.0]);
  const distances = new Float32Array(4 * 4 * 3).fill(-50);
  // Cell 1's sides: all the weight on bin 2 (left, top), bin 1 (right), half on bins 0 and 2 (bottom).
  for (const [side, bin] of [
    [0, 2],
    [1, 2],
    [2, 1],
  ] as const)
    distances[(1 * 4 + side) * 3 + bin] = 50;
  distances[(1 * 4 + 3) * 3 + 0] = 50;
  distances[(1 * 4 + 3) * 3 + 2] = 50;

  it('places a person from its cell centre and expected distances, in the frame`s pixels', () => {
    const [box, ...others] = decodeGfl([{ stride: 8, columns: 2, scores, distances }], OUTPUT, 0.5, { x: 100, y: 20, scale: 0.5 });
    expect(others).toEqual([]);
    // Centre (12, 4) in the tile; left 16, top 16, right 8, bottom 8; tile at (100, 20) of a frame scaled by 0.5.
    expect(box!.score).toBeCloseTo(0.9);
    expect(box!.xtl).toBeCloseTo((100 + 12 - 16) / 0.5);
    expect(box!.ytl).toBeCloseTo((20 + 4 - 16) / 0.5);
    expect(box!.xbr).toBeCloseTo((100 + 12 + 8) / 0.5);
    expect(box!.ybr).toBeCloseTo((20 + 4 + 8) / 0.5);
  });

  it('keeps only the person class above the threshold', () => {
    expect(decodeGfl([{ stride: 8, columns: 2, scores, distances }], OUTPUT, 0.95, { x: 0, y: 0, scale: 1 })).toEqual([]);
    expect(decodeGfl([{ stride: 8, columns: 2, scores, distances }], { ...OUTPUT, person: 1 }, 0.5, { x: 0, y: 0, scale: 1 })).toHaveLength(1);
  });

  it('drops a box overlapping a better one and keeps one apart', () => {
    const best = { score: 0.9, xtl: 0, ytl: 0, xbr: 10, ybr: 20 };
    const twin = { score: 0.5, xtl: 1, ytl: 0, xbr: 11, ybr: 20 };
    const apart = { score: 0.4, xtl: 50, ytl: 0, xbr: 60, ybr: 20 };
    expect(suppressOverlaps([twin, apart, best])).toEqual([best, apart]);
  });

  it('reads a YOLO head laid out either way, with or without objectness', () => {
    // Two candidates, two classes (person is class 1): a person at (50, 40) sized 20 x 60, and a weak one.
    const yolo = { decoding: 'yolo' as const, objectness: false, classes: 2, person: 1 };
    const candidates = [
      [50, 40, 20, 60, 0.1, 0.9],
      [10, 10, 4, 4, 0.8, 0.2],
    ];
    const person = { xtl: 40, ytl: 10, xbr: 60, ybr: 70, score: expect.closeTo(0.9, 5) as number };
    const byCandidate = new Float32Array(candidates.flat());
    const byValue = new Float32Array([0, 1, 2, 3, 4, 5].flatMap((value) => candidates.map((candidate) => candidate[value]!)));
    const place = { x: 0, y: 0, scale: 1 };
    expect(decodeYolo({ values: byCandidate, candidates: 2, candidateMajor: true }, yolo, 0.5, place)).toEqual([person]);
    expect(decodeYolo({ values: byValue, candidates: 2, candidateMajor: false }, yolo, 0.5, place)).toEqual([person]);
    // With objectness (YOLOv5): the class score is weighed by it, and the box lands where its tile is.
    const v5 = new Float32Array([50, 40, 20, 60, 0.5, 0.1, 0.9]);
    const [box] = decodeYolo({ values: v5, candidates: 1, candidateMajor: true }, { ...yolo, objectness: true }, 0.4, { x: 100, y: 0, scale: 0.5 });
    expect(box!.score).toBeCloseTo(0.45);
    expect([box!.xtl, box!.xbr]).toEqual([280, 320]);
  });

  it('cuts a side into as few overlapping tiles as cover it', () => {
    expect(tileStarts(300, 416)).toEqual([0]);
    expect(tileStarts(416, 416)).toEqual([0]);
    expect(tileStarts(740, 416)).toEqual([0, 324]);
    expect(tileStarts(1280, 416)).toEqual([0, 288, 576, 864]);
  });
});

const walk = (frame: number, x: number): DraftKeyframe => ({ frame, xtl: x, ytl: 100, xbr: x + 30, ybr: 200, score: 0.8 });
/** Detections on every frame of a 1280x720 clip's first 12. */
const SCENE = { every: 1, from: 0, to: 11, width: 1280, height: 720 };

describe('draft tracks', () => {
  it('keeps two keyframes for a straight walk and a third where the walk turns back', () => {
    const straight = Array.from({ length: 20 }, (_, i) => walk(i, 10 + 3 * i));
    expect(sparseKeyframes(straight).map((box) => box.frame)).toEqual([0, 19]);
    const turning = Array.from({ length: 21 }, (_, i) => walk(i, i <= 10 ? 10 + 5 * i : 60 - 5 * (i - 10)));
    expect(sparseKeyframes(turning).map((box) => box.frame)).toEqual([0, 10, 20]);
    // A pinned box is kept though the line through its neighbours passes it.
    expect(sparseKeyframes(straight, [7]).map((box) => box.frame)).toEqual([0, 7, 19]);
  });

  it('links two people walking apart, bridges a missed detection, and drops a flicker and a track no detection vouches for', () => {
    const frames = Array.from({ length: 12 }, (_, frame) => ({
      frame,
      found: [
        walk(frame, 100 + 2 * frame),
        // Seen well once, weakly after: one track.
        ...(frame === 5 ? [] : [{ ...walk(frame, 400 - 2 * frame), score: frame === 0 ? 0.8 : 0.25 }]),
        ...(frame === 7 ? [walk(frame, 700)] : []),
        { ...walk(frame, 1000), score: 0.3 },
      ],
    }));
    const tracks = draftTracks(frames, { ...SCENE, threshold: 0.5, minDetections: 3 });
    expect(tracks).toHaveLength(2);
    expect(tracks.map((track) => [track.keyframes[0]!.xtl, track.keyframes.at(-1)!.frame])).toEqual([
      [100, 11],
      [400, 11],
    ]);
    // The missed frame is filled by interpolation.
    expect(draftBoxAt(tracks[1]!, 5)!.xtl).toBeCloseTo(390);
    expect(tracks.every((track) => track.label === null)).toBe(true);
  });

  it('drops a second track on part of a person another track follows, and keeps two people side by side', () => {
    const frames = Array.from({ length: 12 }, (_, frame) => ({
      frame,
      found: [
        walk(frame, 100 + 2 * frame),
        // The same person's upper body, from frame 4 on (IoU about 0.5 with the whole person's box).
        ...(frame >= 4 ? [{ ...walk(frame, 100 + 2 * frame), ybr: 150, score: 0.6 }] : []),
        walk(frame, 131 + 2 * frame),
      ],
    }));
    const tracks = draftTracks(frames, { ...SCENE, threshold: 0.5, minDetections: 3 });
    expect(tracks.map((track) => [track.keyframes[0]!.xtl, track.keyframes[0]!.ybr])).toEqual([
      [100, 200],
      [131, 200],
    ]);
  });
});

describe('following people through crossings and out of the frame', () => {
  // Two people cross at frame 20, 4 px a frame each way; each detection jitters by up to 4 px, as a
  // detector's do, and the one behind is not detected for three frames where they overlap most. A
  // velocity taken from the last two boxes (as linking did before) swapped them.
  const jitter = (frame: number, seed: number) => ((frame * 7 + seed * 13) % 9) - 4;
  const crossing = Array.from({ length: 40 }, (_, frame) => ({
    frame,
    found: [
      walk(frame, 400 + 4 * (frame - 20) + jitter(frame, 1)),
      ...(Math.abs(frame - 20) < 2 ? [] : [walk(frame, 400 - 4 * (frame - 20) + jitter(frame, 2))]),
    ],
  }));

  it('keeps each of two crossing people on their own track, from the motion fitted to their last boxes', () => {
    const tracks = draftTracks(crossing, { ...SCENE, to: 39, threshold: 0.5, minDetections: 3 });
    expect(tracks.map((track) => [track.keyframes[0]!.frame, track.keyframes.at(-1)!.frame])).toEqual([
      [0, 39],
      [0, 39],
    ]);
    const [rightwards, leftwards] = [...tracks].sort((a, b) => a.keyframes[0]!.xtl - b.keyframes[0]!.xtl);
    expect(draftBoxAt(rightwards!, 39)!.xtl).toBeGreaterThan(470);
    expect(draftBoxAt(leftwards!, 39)!.xtl).toBeLessThan(330);
  });

  it('fits a steady motion through jittery boxes', () => {
    const boxes = crossing.map(({ found }) => found[0]!);
    const motion = fitMotion(boxes.slice(-MOTION_BOXES));
    expect(motion.velocity.xtl).toBeCloseTo(4, 0);
    expect(motion.at(50).xtl).toBeCloseTo(520, -1);
    expect(predictedBox(boxes, 45).xtl).toBeCloseTo(boxes.at(-1)!.xtl + 6 * 4, -1);
    // Two boxes a frame apart: their velocity counts half.
    expect(predictedBox([walk(0, 10), walk(1, 20)], 3).xtl).toBe(30);
    expect(fitMotion([walk(3, 10)]).at(9)).toMatchObject({ xtl: 10, xbr: 40 });
  });

  it('carries a track that leaves at the frame`s edge on along its motion, until the box leaves the frame', () => {
    // Walking down out of a 1280x720 frame at 10 px a frame; the detector loses them with 60 px still in sight.
    const down = (frame: number): DraftKeyframe => ({ frame, xtl: 600, ytl: 500 + 10 * frame, xbr: 660, ybr: Math.min(720, 620 + 10 * frame), score: 0.9 });
    const frames = Array.from({ length: 40 }, (_, frame) => ({ frame, found: frame <= 16 ? [down(frame)] : [] }));
    const [track] = draftTracks(frames, { ...SCENE, to: 39, threshold: 0.5, minDetections: 3 });
    // Carried until fewer than 8 px show (frame 21: 500 + 210 = 710, 10 px left; frame 22: 0).
    expect(track!.keyframes.at(-1)).toMatchObject({ frame: 21, ytl: 710, ybr: 720, score: 0 });
    expect(draftBoxAt(track!, 19)!.ytl).toBeCloseTo(690);
    // Keyframes where the box reaches the edge (frame 10) and where it ends; and the last detection, which
    // the line from 10 to 21 passes, because labels are proposed from detected keyframes.
    expect(track!.keyframes.map((keyframe) => [keyframe.frame, keyframe.score])).toEqual([
      [0, 0.9],
      [10, 0.9],
      [16, 0.9],
      [21, 0],
    ]);
    // Not past the end of the frames searched.
    const [short] = draftTracks(frames, { ...SCENE, to: 18, threshold: 0.5, minDetections: 3 });
    expect(short!.keyframes.at(-1)!.frame).toBe(18);
    // Coming in at the edge: carried back towards the first frame searched, not before it.
    const up = Array.from({ length: 20 }, (_, frame) => ({ frame, found: frame >= 8 ? [down(19 - frame)] : [] }));
    const [entering] = draftTracks(up, { ...SCENE, from: 6, to: 19, threshold: 0.5, minDetections: 3 });
    expect(entering!.keyframes[0]).toMatchObject({ frame: 6, score: 0 });
    // A track that ends in the middle of the frame stops at its last detection.
    const stopping = draftTracks(crossing.slice(0, 18), { ...SCENE, to: 39, threshold: 0.5, minDetections: 3 });
    expect(stopping.map((track) => track.keyframes.at(-1)!.frame)).toEqual([17, 17]);
  });
});

describe('scoring a draft against labels', () => {
  const truth: ProjectAnnotations = {
    schema: 2,
    width: 640,
    height: 360,
    frameCount: 10,
    frameNames: [],
    tracks: [1, 2].map((id) => ({
      id,
      shapes: [0, 9].map((frame) => ({
        frame,
        xtl: id * 200,
        ytl: 100,
        xbr: id * 200 + 30,
        ybr: 200,
        label: 'MW',
        occluded: false,
        outside: false,
        zOrder: 0,
        attributes: {},
      })),
    })),
  };
  const draftOf = (tracks: PeopleDraft['tracks']): PeopleDraft => ({
    schema: 1,
    detector: 'test',
    every: 1,
    from: 0,
    to: 9,
    threshold: 0.3,
    scale: 1,
    complete: true,
    labelledBy: null,
    framesDetected: 10,
    seconds: 0,
    tracks,
  });
  const at = (x: number) => [walk(0, x), walk(9, x)];

  it('names the labelled people the detector found no one at, on the frames it covered', () => {
    const draft = draftOf([{ id: 1, keyframes: at(200), label: null }]);
    const labelled = [1, 2].map((id) => ({ trackId: id, box: { xtl: id * 200, ytl: 100, xbr: id * 200 + 30, ybr: 200 } }));
    expect(notFoundAt(draft, labelled, 4)).toEqual([2]);
    expect(notFoundAt({ ...draft, from: 5 }, labelled, 4)).toEqual([]);
    // A job stopped after three frames covers frames 0-2 only.
    expect(notFoundAt({ ...draft, complete: false, framesDetected: 3 }, labelled, 4)).toEqual([]);
  });

  it('finds every person with no wrong box when the draft is the labels', () => {
    const score = scoreDraft(draftOf([1, 2].map((id) => ({ id, keyframes: at(id * 200), label: null }))), truth);
    expect(score).toMatchObject({ people: 20, found: 20, recall: 1, proposed: 20, precision: 1, mostSwitches: 0 });
  });

  it('leaves people marked occluded out when asked, as it leaves out people too small', () => {
    // Person 2 is hidden behind someone throughout. The draft finds all of them on frames 0-4, and only
    // the top of them, all they show, on frames 5-9: too little of their box to count as found.
    const hidden = {
      ...truth,
      tracks: truth.tracks.map((track) => (track.id === 2 ? { ...track, shapes: track.shapes.map((shape) => ({ ...shape, occluded: true })) } : track)),
    };
    const top = (frame: number): DraftKeyframe => ({ ...walk(frame, 402), ybr: 140 });
    const draft = draftOf([
      { id: 1, keyframes: at(200), label: null },
      { id: 2, keyframes: [walk(0, 402), walk(4, 402)], label: null },
      { id: 3, keyframes: [top(5), top(9)], label: null },
    ]);
    expect(scoreDraft(draft, hidden)).toMatchObject({ people: 20, found: 15, proposed: 20 });
    // Asked, they are neither found nor missed, and the boxes on them, whole or in part, neither right nor wrong.
    expect(scoreDraft(draft, hidden, { minHeight: 40, ignoreOccluded: true })).toMatchObject({ people: 10, found: 10, recall: 1, proposed: 10, precision: 1 });
    // Nor does being asked change anything where nobody is occluded.
    expect(scoreDraft(draft, truth, { minHeight: 40, ignoreOccluded: true })).toEqual(scoreDraft(draft, truth));
  });

  it('keeps a track on the person it follows while it overlaps them, though a person beside them overlaps it more', () => {
    // Two people side by side, 10 px apart; the draft box drifts towards the second on frames 4 and 5.
    const side = (id: number, x: number) => ({ ...truth.tracks[0]!, id, shapes: truth.tracks[0]!.shapes.map((shape) => ({ ...shape, xtl: x, xbr: x + 60 })) });
    const pair = { ...truth, tracks: [side(1, 100), side(2, 110)] };
    const wobbling = {
      id: 1,
      label: null,
      keyframes: Array.from({ length: 10 }, (_, frame) => ({
        ...walk(frame, frame === 4 || frame === 5 ? 108 : 102),
        xbr: (frame === 4 || frame === 5 ? 108 : 102) + 60,
      })),
    };
    const score = scoreDraft(draftOf([wobbling]), pair);
    expect(score.mostSwitches).toBe(0);
    expect(score.found).toBe(10);
  });

  it('counts a missed person, a box on nobody, and a track that changes person', () => {
    const jumping = { id: 1, keyframes: [walk(0, 200), walk(4, 200), walk(5, 400), walk(9, 400)], label: null };
    const score = scoreDraft(draftOf([jumping, { id: 2, keyframes: at(600), label: null }]), truth);
    // Frames 0-4 find person 1, frames 5-9 person 2 (with interpolation between 4 and 5 off both).
    expect(score.recall).toBeCloseTo(10 / 20);
    expect(score.precision).toBeCloseTo(10 / 20);
    expect(score.mostSwitches).toBe(1);
    expect(score.tracksSwitchingTwice).toBe(0);
  });
});
