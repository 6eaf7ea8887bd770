// Between the project's keyframe model and the box-per-frame view the file formats need.

import type { AnnotationSet, AnnotationTrack, BoxGeometry, ProjectAnnotations, Shape, TrackBox } from './annotations';
import { ANNOTATIONS_SCHEMA } from './annotations';

/**
 * CVAT's linear interpolation between two keyframes, rounded as CVAT writes coordinates (or exact, for a
 * new keyframe, so that the frames around it keep their boxes).
 */
export function interpolate(a: BoxGeometry & { frame: number }, b: BoxGeometry & { frame: number }, frame: number, round = round2): BoxGeometry {
  const t = (frame - a.frame) / (b.frame - a.frame);
  return {
    xtl: round(a.xtl + (b.xtl - a.xtl) * t),
    ytl: round(a.ytl + (b.ytl - a.ytl) * t),
    xbr: round(a.xbr + (b.xbr - a.xbr) * t),
    ybr: round(a.ybr + (b.ybr - a.ybr) * t),
  };
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * The track's box in `frame`, as CVAT shows it: the keyframe itself, or the interpolation between the
 * keyframes around it (with the earlier one's label and flags), or the last keyframe held until the end
 * of the clip. Null where the track is outside the view or has not started.
 */
export function boxAt(track: AnnotationTrack, frame: number, round = round2): TrackBox | null {
  const shapes = track.shapes;
  let low = 0;
  let high = shapes.length - 1;
  let index = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (shapes[middle]!.frame <= frame) {
      index = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  if (index < 0 || shapes[index]!.outside) return null;
  return boxBetween(shapes[index]!, shapes[index + 1], frame, round);
}

/**
 * The track's boxes on the frames below `end` that are multiples of `step`, in frame order: what boxAt
 * gives on each, found by one walk along the keyframes rather than a search per frame (an hour of video
 * is 90,000 frames).
 */
export function boxesEvery(track: AnnotationTrack, step: number, end: number, round = round2): TrackBox[] {
  const boxes: TrackBox[] = [];
  track.shapes.forEach((before, index) => {
    if (before.outside) return;
    const after = track.shapes[index + 1];
    const to = Math.min(after?.frame ?? end, end);
    for (let frame = Math.ceil(before.frame / step) * step; frame < to; frame += step) boxes.push(boxBetween(before, after, frame, round));
  });
  return boxes;
}

/** The box on `frame` of a track whose keyframe at or before it is `before` (in view), and the next `after`. */
function boxBetween(before: Shape, after: Shape | undefined, frame: number, round: (value: number) => number): TrackBox {
  // Before an outside keyframe the box is held, not interpolated toward it (as in CVAT). Only
  // interpolated corners are rounded: a box as set (to a thousandth of a pixel, say) stays as it was.
  const held = before.frame === frame || !after || after.outside;
  const geometry = held ? before : interpolate(before, after, frame, round);
  // One object per box, written out: an hour of per-frame boxes is half a million of them.
  const box: TrackBox = {
    xtl: geometry.xtl,
    ytl: geometry.ytl,
    xbr: geometry.xbr,
    ybr: geometry.ybr,
    frame,
    label: before.label,
    occluded: before.occluded,
    truncated: before.truncated ?? false,
    keyframe: before.frame === frame,
    zOrder: before.zOrder,
  };
  if (Object.keys(before.attributes).length) box.attributes = before.attributes;
  if (before.pose !== undefined) box.pose = before.pose;
  if (before.difficult !== undefined) box.difficult = before.difficult;
  if (before.extra) box.extra = before.extra;
  return box;
}

export function pick({ xtl, ytl, xbr, ybr }: BoxGeometry): BoxGeometry {
  return { xtl, ytl, xbr, ybr };
}

/**
 * Before an outside keyframe on `frame` gives way to a box in view, the frames before it show the last box
 * held; a copy of that box on `frame - 1` keeps them so once interpolation runs toward the new box.
 * `shapes` are sorted by frame and are changed in place.
 */
export function holdBefore(shapes: Shape[], frame: number): void {
  const last = [...shapes].reverse().find((shape) => shape.frame < frame);
  if (!last || last.outside || last.frame >= frame - 1) return;
  shapes.splice(shapes.indexOf(last) + 1, 0, { ...last, frame: frame - 1, attributes: { ...last.attributes } });
}

/** Every box of every frame, for writing per-frame formats and CVAT's all-frames track listing. */
export function materialize(annotations: ProjectAnnotations, labels: string[]): AnnotationSet {
  const tracks = annotations.tracks.map((track) => {
    const boxes = boxesEvery(track, 1, annotations.frameCount);
    return track.extra ? { id: track.id, boxes, extra: track.extra } : { id: track.id, boxes };
  });
  const set: AnnotationSet = {
    width: annotations.width,
    height: annotations.height,
    ...(annotations.frameSizes ? { frameSizes: annotations.frameSizes } : {}),
    frameCount: annotations.frameCount,
    frameNames: annotations.frameNames,
    labels,
    tracks,
  };
  if (annotations.extra) set.extra = annotations.extra;
  return set;
}

/**
 * The keyframe model of boxes listed frame by frame: the boxes flagged as keyframes, and an outside
 * keyframe wherever a track leaves the view before the clip ends.
 */
export function fromBoxes(set: AnnotationSet): ProjectAnnotations {
  const tracks: AnnotationTrack[] = set.tracks.map((track) => {
    const shapes: Shape[] = [];
    track.boxes.forEach((box, index) => {
      const previous = track.boxes[index - 1];
      const next = track.boxes[index + 1];
      // A box after a gap, or before one, must be a keyframe for interpolation to stay exact.
      const keyframe = box.keyframe || !previous || previous.frame !== box.frame - 1 || !next || next.frame !== box.frame + 1;
      if (keyframe) shapes.push(toShape(box));
      if ((!next || next.frame !== box.frame + 1) && box.frame + 1 < set.frameCount) shapes.push({ ...toShape(box), frame: box.frame + 1, outside: true });
    });
    return track.extra ? { id: track.id, shapes, extra: track.extra } : { id: track.id, shapes };
  });
  const annotations: ProjectAnnotations = {
    schema: ANNOTATIONS_SCHEMA,
    width: set.width,
    height: set.height,
    ...(set.frameSizes ? { frameSizes: set.frameSizes } : {}),
    frameCount: set.frameCount,
    frameNames: set.frameNames,
    tracks,
  };
  if (set.extra) annotations.extra = set.extra;
  return annotations;
}

function toShape(box: TrackBox): Shape {
  const shape: Shape = {
    ...pick(box),
    frame: box.frame,
    label: box.label,
    occluded: box.occluded,
    outside: false,
    zOrder: box.zOrder,
    attributes: box.attributes ?? {},
  };
  if (box.truncated) shape.truncated = true;
  if (box.pose !== undefined) shape.pose = box.pose;
  if (box.difficult !== undefined) shape.difficult = box.difficult;
  if (box.extra) shape.extra = box.extra;
  return shape;
}

/** Runs of frames with one label in a track, from its keyframes (each holds until the next; outside ends a run). */
export function labelRuns(track: AnnotationTrack, frameCount: number): Array<{ from: number; to: number; label: string }> {
  const runs: Array<{ from: number; to: number; label: string }> = [];
  track.shapes.forEach((shape, i) => {
    if (shape.outside) return;
    const to = (track.shapes[i + 1]?.frame ?? frameCount) - 1;
    const last = runs.at(-1);
    if (last && last.label === shape.label && last.to === shape.frame - 1) last.to = to;
    else runs.push({ from: shape.frame, to, label: shape.label });
  });
  return runs;
}
