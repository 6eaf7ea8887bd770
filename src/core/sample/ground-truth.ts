// The annotations of the clip, derived from the same poses that are drawn: every visible person in
// every frame with a box, a label and a track id.

import type { AnnotationSet, BoxGeometry, Track, TrackBox } from '../../shared/annotations';
import type { Camera } from './camera';
import type { Pedestrian } from './cast';
import { interpolate, round2 } from '../../shared/keyframes';
import { poseCovers, type Pose } from './pose';
import { peopleInFrame, type PersonInFrame } from './scene';

/** Part of a box hidden behind nearer people from which it counts as occluded. */
const OCCLUDED_FROM = 0.2;
/** Part of the head hidden from which the face cannot be seen (ND). */
const FACE_HIDDEN_FROM = 0.6;
/** Boxes between keyframes are interpolated; keyframes are placed so that this is the largest error, in pixels. */
const KEYFRAME_TOLERANCE_PX = 0.5;
const MIN_VISIBLE_PX = 2;

export function frameName(frame: number): string {
  return `frame_${String(frame).padStart(6, '0')}.jpg`;
}

export function groundTruth(camera: Camera, cast: Pedestrian[], frameCount: number): AnnotationSet {
  const boxes = new Map<number, TrackBox[]>();
  for (let frame = 0; frame < frameCount; frame++) {
    const people = peopleInFrame(camera, cast, frame);
    const visible = people.map((entry) => ({ entry, box: clip(entry.pose.body, camera) })).filter((item) => item.box !== null);
    visible.forEach(({ entry, box }, index) => {
      // Everyone later in the list is nearer the camera and may hide part of this person.
      const nearer = visible.slice(index + 1);
      const nearerFigures = nearer.map((item) => item.entry.pose);
      const nearerBoxes = nearer.map((item) => item.box!);
      const list = boxes.get(entry.person.id) ?? [];
      list.push({
        frame,
        ...box!,
        label: label(entry, nearerFigures),
        occluded: coveredFraction(box!, nearerBoxes) >= OCCLUDED_FROM,
        truncated: isTruncated(entry.pose.body, camera),
        keyframe: true,
        zOrder: index,
      });
      boxes.set(entry.person.id, list);
    });
  }
  const tracks: Track[] = [...boxes.entries()].map(([id, list]) => ({ id, boxes: placeKeyframes(list) }));
  return {
    width: camera.width,
    height: camera.height,
    frameCount,
    frameNames: Array.from({ length: frameCount }, (_, frame) => frameName(frame)),
    labels: ['MW', 'NM', 'ND'],
    tracks: tracks.sort((a, b) => a.id - b.id),
  };
}

/** What the face shows: hidden (ND) when turned away or when nearer people's figures, not just their boxes, cover most of the head. */
function label(entry: PersonInFrame, nearer: Pose[]): string {
  if (entry.state.facing === 'back') return 'ND';
  if (gridShare(entry.pose.head, 4, 4, (x, y) => nearer.some((pose) => poseCovers(pose, x, y))) >= FACE_HIDDEN_FROM) return 'ND';
  return entry.state.masked ? 'MW' : 'NM';
}

/** The body's box inside the frame, rounded to CVAT's two decimals; null when too little is in view. */
function clip(body: BoxGeometry, camera: Camera): BoxGeometry | null {
  const box = {
    xtl: round2(Math.max(0, body.xtl)),
    ytl: round2(Math.max(0, body.ytl)),
    xbr: round2(Math.min(camera.width, body.xbr)),
    ybr: round2(Math.min(camera.height, body.ybr)),
  };
  return box.xbr - box.xtl >= MIN_VISIBLE_PX && box.ybr - box.ytl >= MIN_VISIBLE_PX ? box : null;
}

function isTruncated(body: BoxGeometry, camera: Camera): boolean {
  return body.xtl < 0 || body.ytl < 0 || body.xbr > camera.width || body.ybr > camera.height;
}

/** The share of a 12x6 grid of points in `box` that fall inside any of `covers`. */
function coveredFraction(box: BoxGeometry, covers: BoxGeometry[]): number {
  if (covers.length === 0) return 0;
  return gridShare(box, 12, 6, (x, y) => covers.some((cover) => x >= cover.xtl && x <= cover.xbr && y >= cover.ytl && y <= cover.ybr));
}

/** The share of a grid of points in `box` for which `covered` holds. */
function gridShare(box: BoxGeometry, rows: number, columns: number, covered: (x: number, y: number) => boolean): number {
  let count = 0;
  for (let r = 0; r < rows; r++) {
    const y = box.ytl + ((r + 0.5) / rows) * (box.ybr - box.ytl);
    for (let c = 0; c < columns; c++) if (covered(box.xtl + ((c + 0.5) / columns) * (box.xbr - box.xtl), y)) count++;
  }
  return count / (rows * columns);
}

/**
 * Marks as keyframes the fewest boxes from which linear interpolation reproduces every other box within
 * the tolerance, and gives the other boxes exactly their interpolated values (as CVAT would). The first
 * and last box, boxes where the label or occlusion changes, and boxes beside a gap are always keyframes.
 */
export function placeKeyframes(boxes: TrackBox[]): TrackBox[] {
  const result = boxes.map((box) => ({ ...box, keyframe: false }));
  let start = 0;
  while (start < result.length) {
    result[start]!.keyframe = true;
    let end = start + 1;
    // Extend the span while every box inside it is close to the line between its ends.
    while (end < result.length && sameState(result[start]!, result[end]!) && contiguous(result, start, end) && fits(result, start, end)) end++;
    const last = Math.max(start + 1, end - 1);
    if (last >= result.length) break;
    // Between keyframes a box holds the earlier one's drawing order and flags, as the project (and CVAT) reads
    // them back: written as they were per frame, an import and export of the sample's files changed them.
    const { zOrder, truncated } = result[start]!;
    for (let i = start + 1; i < last; i++) Object.assign(result[i]!, interpolate(result[start]!, result[last]!, result[i]!.frame), { zOrder, truncated });
    start = last;
  }
  return result;
}

function sameState(a: TrackBox, b: TrackBox): boolean {
  return a.label === b.label && a.occluded === b.occluded;
}

/** Interpolation never bridges frames where the person was out of view. */
function contiguous(boxes: TrackBox[], start: number, end: number): boolean {
  return boxes[end]!.frame - boxes[start]!.frame === end - start;
}

function fits(boxes: TrackBox[], start: number, end: number): boolean {
  const a = boxes[start]!;
  const b = boxes[end]!;
  for (let i = start + 1; i < end; i++) {
    const box = boxes[i]!;
    if (!sameState(a, box)) return false;
    const expected = interpolate(a, b, box.frame);
    if (
      Math.abs(expected.xtl - box.xtl) > KEYFRAME_TOLERANCE_PX ||
      Math.abs(expected.ytl - box.ytl) > KEYFRAME_TOLERANCE_PX ||
      Math.abs(expected.xbr - box.xbr) > KEYFRAME_TOLERANCE_PX ||
      Math.abs(expected.ybr - box.ybr) > KEYFRAME_TOLERANCE_PX
    ) {
      return false;
    }
  }
  return true;
}
