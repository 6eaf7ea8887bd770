// Detections, frame by frame, made into the tracks an annotator corrects: linked by overlap with where
// each person is predicted to be, weak detections only continuing tracks that a confident one vouches for,
// flickers (a few stray detections) and second tracks on the same person dropped, tracks that come in or
// go out at the frame's edge carried on across it, and only the keyframes that the interpolation between
// their neighbours cannot reproduce kept.

import type { BoxGeometry } from '../../shared/annotations';
import type { Detection, DraftKeyframe, DraftTrack } from '../../shared/detect';
import { interpolate } from '../../shared/keyframes';
import { iou, withinFrame } from '../../shared/overlap';
import { fitMotion, MOTION_BOXES } from '../annotations/box-motion';
import { DEFAULT_LINK_THRESHOLD, linkBoxes } from '../annotations/link-tracks';
import { TrackIds } from '../annotations/track-ids';

/** Detected frames a person may be missed on (occluded, a weak score) and still continue their track. */
const MISSES = 5;
/**
 * A track that overlaps a longer one by this much (IoU) on at least half its detections follows the same
 * person (a second box on part of them that overlap suppression let through), and is dropped.
 */
const SAME_PERSON = 0.4;
/**
 * Frames a track is carried on for, past its first or last detection, where it comes in or goes out at the
 * frame's edge: the detector misses a person who shows only their head and shoulders there.
 */
const EDGE_FRAMES = 15;
/** A box this close to the frame's edge (a share of the frame's side) is at the edge. */
const EDGE_SHARE = 0.01;
/** A box carried across the edge ends where less than this many pixels of it stay in the frame. */
const SMALLEST_SIDE = 8;
/** A keyframe is kept when the interpolation of its neighbours misses a side by more than this share of the box's size. */
const TOLERANCE = 0.15;

export interface FrameDetections {
  frame: number;
  found: Detection[];
}

export interface TrackingOptions {
  /** Detections were made on every `every`-th frame, from `from` to `to`, of frames this size. */
  every: number;
  from: number;
  to: number;
  width: number;
  height: number;
  /** A track is kept when it scores this much on some frame, and has `minDetections` detections or more. */
  threshold: number;
  minDetections: number;
}

/** The draft's tracks from the detections of every `every`-th frame. */
export function draftTracks(frames: FrameDetections[], options: TrackingOptions): DraftTrack[] {
  const { every, threshold, minDetections } = options;
  const boxes: DraftKeyframe[] = frames.flatMap(({ frame, found }) => found.map((detection) => ({ ...detection, frame })));
  const linked = linkBoxes(boxes, DEFAULT_LINK_THRESHOLD, every * (MISSES + 1), new TrackIds());
  const kept = linked.filter((track) => track.boxes.length >= minDetections && track.boxes.some((box) => box.score >= threshold));
  return withoutDuplicates(kept)
    .map((track) => acrossEdges(track.boxes, options))
    .sort((a, b) => a.boxes[0]!.frame - b.boxes[0]!.frame)
    .map(({ boxes, detected }, index) => ({ id: index + 1, keyframes: sparseKeyframes(boxes, detected), label: null }));
}

/** The tracks, longest first, less each that follows a person a longer one follows already. */
function withoutDuplicates<T extends { boxes: DraftKeyframe[] }>(tracks: T[]): T[] {
  const kept: Array<{ track: T; byFrame: Map<number, DraftKeyframe> }> = [];
  for (const track of [...tracks].sort((a, b) => b.boxes.length - a.boxes.length)) {
    const same = (other: Map<number, DraftKeyframe>) => track.boxes.filter((box) => iou(other.get(box.frame) ?? NOWHERE, box) >= SAME_PERSON).length;
    if (kept.some(({ byFrame }) => same(byFrame) * 2 >= track.boxes.length)) continue;
    kept.push({ track, byFrame: new Map(track.boxes.map((box) => [box.frame, box])) });
  }
  return kept.map(({ track }) => track);
}

const NOWHERE = { xtl: 0, ytl: 0, xbr: 0, ybr: 0 };

/**
 * The fewest keyframes whose interpolation stays close to every box (Douglas-Peucker on boxes): the first
 * and last and those `pinned` (indices), then, within each span between them, the box the interpolation
 * misses most, while it misses by too much.
 */
export function sparseKeyframes(boxes: DraftKeyframe[], pinned: number[] = []): DraftKeyframe[] {
  const fixed = [...new Set([0, ...pinned, boxes.length - 1])].sort((a, b) => a - b);
  const keep = new Set(fixed);
  // A stack, not recursion: a track can run for an hour of frames.
  const spans = fixed.slice(1).map((last, i): [number, number] => [fixed[i]!, last]);
  while (spans.length > 0) {
    const [first, last] = spans.pop()!;
    let worst = 0;
    let at = -1;
    for (let i = first + 1; i < last; i++) {
      const box = boxes[i]!;
      const error = miss(
        interpolate(boxes[first]!, boxes[last]!, box.frame, (value) => value),
        box,
      );
      if (error > worst) {
        worst = error;
        at = i;
      }
    }
    if (at < 0 || worst <= TOLERANCE) continue;
    keep.add(at);
    spans.push([first, at], [at, last]);
  }
  return boxes.filter((_, i) => keep.has(i));
}

/** How far `guess` is from `box`: its worst side's distance, as a share of the box's width or height. */
function miss(guess: BoxGeometry, box: BoxGeometry): number {
  const width = Math.max(1, box.xbr - box.xtl);
  const height = Math.max(1, box.ybr - box.ytl);
  return Math.max(
    Math.abs(guess.xtl - box.xtl) / width,
    Math.abs(guess.xbr - box.xbr) / width,
    Math.abs(guess.ytl - box.ytl) / height,
    Math.abs(guess.ybr - box.ybr) / height,
  );
}

/**
 * The track carried on, frame by frame, along the motion of its first (last) boxes, before (after) its
 * first (last) detection where that detection is at the frame's edge: until the box leaves the frame, for
 * at most EDGE_FRAMES. Carried boxes score 0: no detection is behind them. Also where the first and last
 * detections are among the boxes, to be kept as keyframes (labels are proposed from detected keyframes).
 */
function acrossEdges(boxes: DraftKeyframe[], { from, to, width, height }: TrackingOptions): { boxes: DraftKeyframe[]; detected: number[] } {
  const atEdge = (box: BoxGeometry) =>
    box.xtl <= width * EDGE_SHARE || box.ytl <= height * EDGE_SHARE || box.xbr >= width * (1 - EDGE_SHARE) || box.ybr >= height * (1 - EDGE_SHARE);
  // Forwards (1) from the last detection, or backwards (-1) from the first.
  const carried = (step: 1 | -1): DraftKeyframe[] => {
    const end = step === 1 ? boxes.at(-1)! : boxes[0]!;
    if (!atEdge(end)) return [];
    const motion = fitMotion(step === 1 ? boxes.slice(-MOTION_BOXES) : boxes.slice(0, MOTION_BOXES));
    const out: DraftKeyframe[] = [];
    for (let frame = end.frame + step; frame >= from && frame <= to && Math.abs(frame - end.frame) <= EDGE_FRAMES; frame += step) {
      const box = withinFrame(motion.at(frame), width, height);
      if (box.xbr - box.xtl < SMALLEST_SIDE || box.ybr - box.ytl < SMALLEST_SIDE) break;
      out.push({ ...box, frame, score: 0 });
    }
    return out;
  };
  const before = carried(-1).reverse();
  return {
    boxes: [...before, ...boxes, ...carried(1)],
    detected: [before.length, before.length + boxes.length - 1],
  };
}
