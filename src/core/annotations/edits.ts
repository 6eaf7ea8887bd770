// The edits an annotator makes, as operations on the keyframe model. Each returns the tracks it touched
// as they were before and after, which is all undo and redo need.

import type { AnnotationTrack, BoxGeometry, Edit, ProjectAnnotations, Shape } from '../../shared/annotations';
import { WorkbenchError } from '../../shared/errors';
import { frameSize } from '../../shared/frame-sizes';
import { boxAt, holdBefore, pick, round2 } from '../../shared/keyframes';
import { TrackIds } from './track-ids';

/** Track states by id; null where the track does not exist. */
export type TrackStates = Map<number, AnnotationTrack | null>;

export interface AppliedEdit {
  edit: Edit;
  before: TrackStates;
  after: TrackStates;
}

/** Applies `edit` to `annotations` (in place); throws a WorkbenchError naming the field when it cannot. */
export function applyEdit(annotations: ProjectAnnotations, edit: Edit, labels: readonly string[]): AppliedEdit {
  const touched = new Map<number, AnnotationTrack | null>();
  const remember = (id: number) => {
    if (!touched.has(id)) touched.set(id, copy(annotations.tracks.find((track) => track.id === id) ?? null));
  };
  const context = { annotations, labels, remember };
  switch (edit.type) {
    case 'create-track': {
      checkFrame(annotations, edit.frame);
      const id = newTrackId(annotations);
      remember(id);
      const shape: Shape = {
        ...checkGeometry(annotations, edit.frame, edit.box),
        frame: edit.frame,
        label: checkLabel(labels, edit.label),
        occluded: false,
        outside: false,
        zOrder: 0,
        attributes: {},
      };
      // A photo's box is that photo's alone: on stills the new track ends with its frame.
      const last = annotations.stills ? edit.frame : (edit.to ?? annotations.frameCount - 1);
      if (!(last >= edit.frame && last < annotations.frameCount))
        throw invalid(`"to" must be a frame from ${edit.frame} (where the box is drawn) to ${annotations.frameCount - 1}, got ${last}`, 'to');
      const ends = last + 1 < annotations.frameCount;
      annotations.tracks.push({ id, shapes: ends ? [shape, { ...shape, frame: last + 1, outside: true, attributes: {} }] : [shape] });
      annotations.tracks.sort((a, b) => a.id - b.id);
      break;
    }
    case 'add-tracks': {
      // Every track is checked before any is added: a refused edit changes nothing.
      const made = edit.tracks.map(({ keyframes, label }, t) => {
        const field = `tracks[${t}]`;
        keyframes.forEach((box, i) => {
          checkFrame(annotations, box.frame);
          if (i > 0 && box.frame <= keyframes[i - 1]!.frame)
            throw invalid(`keyframes must be in frame order, one per frame: ${box.frame} follows ${keyframes[i - 1]!.frame}`, `${field}.keyframes[${i}].frame`);
        });
        if (annotations.stills && keyframes.length > 1) throw invalid('the frames are separate photos: a track has one box', `${field}.keyframes`);
        const shapes: Shape[] = keyframes.map((box) => ({
          ...checkGeometry(annotations, box.frame, box),
          frame: box.frame,
          label: checkLabel(labels, label),
          occluded: false,
          outside: false,
          zOrder: 0,
          attributes: {},
        }));
        const last = shapes.at(-1)!;
        if (last.frame + 1 < annotations.frameCount) shapes.push({ ...last, frame: last.frame + 1, outside: true, attributes: {} });
        return shapes;
      });
      for (const shapes of made) {
        const id = newTrackId(annotations);
        remember(id);
        annotations.tracks.push({ id, shapes });
      }
      annotations.tracks.sort((a, b) => a.id - b.id);
      break;
    }
    case 'move-box': {
      const track = trackOf(context, edit.trackId);
      const box = checkGeometry(annotations, edit.frame, edit.box);
      Object.assign(keyframe(track, visibleFrame(annotations, track, edit.frame)), box);
      break;
    }
    case 'delete-track':
      trackOf(context, edit.trackId);
      annotations.tracks = annotations.tracks.filter((track) => track.id !== edit.trackId);
      break;
    case 'relabel-box':
      relabel(context, edit.trackId, edit.frame, edit.frame, edit.label);
      break;
    case 'relabel-track':
      if (!(edit.to >= edit.from)) throw invalid('"to" must not be before "from"', 'to');
      relabel(context, edit.trackId, edit.from, edit.to, edit.label);
      break;
    case 'split-track': {
      const track = trackOf(context, edit.trackId);
      const frame = visibleFrame(annotations, track, edit.frame);
      if (frame <= track.shapes[0]!.frame) throw invalid(`track ${track.id} starts on frame ${frame}: split it on a later frame`, 'frame');
      const id = newTrackId(annotations);
      remember(id);
      pinBeforeOutside(track, frame);
      const here = { ...boxAt(track, frame, exact)! };
      const later = track.shapes.filter((shape) => shape.frame > frame);
      const start: Shape = { ...shapeFrom(track, frame), ...pick(here), frame, outside: false };
      track.shapes = [...track.shapes.filter((shape) => shape.frame < frame), { ...start, outside: true }];
      annotations.tracks.push({ id, shapes: [start, ...later] });
      annotations.tracks.sort((a, b) => a.id - b.id);
      break;
    }
    case 'merge-tracks': {
      if (edit.trackId === edit.otherId) throw invalid('a track cannot be merged with itself', 'otherId');
      const track = trackOf(context, edit.trackId);
      const other = trackOf(context, edit.otherId, 'otherId');
      const clash = firstCommonFrame(annotations.frameCount, track, other);
      if (clash !== null) throw invalid(`tracks ${track.id} and ${other.id} are both in view on frame ${clash}, so they are not one person`, 'otherId');
      // Where one track's outside keyframe gives way to the other's box, its last box stays held before it.
      for (const [from, into] of [
        [track, other],
        [other, track],
      ] as const) {
        for (const shape of [...from.shapes])
          if (shape.outside && into.shapes.some((candidate) => candidate.frame === shape.frame && !candidate.outside)) holdBefore(from.shapes, shape.frame);
      }
      const byFrame = new Map<number, Shape>();
      for (const shape of [...track.shapes, ...other.shapes]) {
        const existing = byFrame.get(shape.frame);
        if (!existing || existing.outside) byFrame.set(shape.frame, shape);
      }
      track.shapes = [...byFrame.values()].sort((a, b) => a.frame - b.frame);
      annotations.tracks = annotations.tracks.filter((candidate) => candidate.id !== other.id);
      break;
    }
    case 'set-keyframe': {
      const track = trackOf(context, edit.trackId);
      if (edit.keyframe) keyframe(track, visibleFrame(annotations, track, edit.frame));
      else {
        const index = track.shapes.findIndex((shape) => shape.frame === edit.frame);
        if (index < 0) throw invalid(`track ${track.id} has no keyframe on frame ${edit.frame}`, 'frame');
        if (index === 0) throw invalid(`frame ${edit.frame} is where track ${track.id} starts: delete the track instead`, 'frame');
        track.shapes.splice(index, 1);
      }
      break;
    }
    case 'set-occluded': {
      const track = trackOf(context, edit.trackId);
      keyframe(track, visibleFrame(annotations, track, edit.frame)).occluded = edit.occluded;
      break;
    }
    case 'set-outside': {
      const track = trackOf(context, edit.trackId);
      checkFrame(annotations, edit.frame);
      if (edit.outside) {
        visibleFrame(annotations, track, edit.frame);
        pinBeforeOutside(track, edit.frame);
        keyframe(track, edit.frame).outside = true;
      } else {
        const hidden = boxAt(track, edit.frame) === null && edit.frame >= track.shapes[0]!.frame;
        if (!hidden) throw invalid(`track ${track.id} is not out of view on frame ${edit.frame}`, 'frame');
        // Back in view where it left, clipped to this frame: a photo of a collection may be smaller than the last.
        const held = pick(shapeFrom(track, edit.frame));
        const { width, height } = frameSize(annotations, edit.frame);
        if (held.xtl > width - 1 || held.ytl > height - 1)
          throw invalid(
            `track ${track.id}'s last box (${held.xtl}, ${held.ytl}) lies outside frame ${edit.frame} (${width}x${height}): draw a new box there instead`,
            'frame',
          );
        const geometry = held.xbr <= width && held.ybr <= height ? held : checkGeometry(annotations, edit.frame, held);
        Object.assign(keyframe(track, edit.frame), geometry).outside = false;
      }
      break;
    }
  }
  const after: TrackStates = new Map([...touched.keys()].map((id) => [id, copy(annotations.tracks.find((track) => track.id === id) ?? null)]));
  return { edit, before: touched, after };
}

/** Puts the given track states back (undo puts `before`, redo puts `after`). */
export function restore(annotations: ProjectAnnotations, states: TrackStates): void {
  const ids = new Set(states.keys());
  const kept = annotations.tracks.filter((track) => !ids.has(track.id));
  const restored = [...states.values()].filter((track): track is AnnotationTrack => track !== null).map(copy) as AnnotationTrack[];
  annotations.tracks = [...kept, ...restored].sort((a, b) => a.id - b.id);
}

interface Context {
  annotations: ProjectAnnotations;
  labels: readonly string[];
  remember(id: number): void;
}

function relabel(context: Context, trackId: number, from: number, to: number, label: string): void {
  const { annotations } = context;
  const track = trackOf(context, trackId);
  checkFrame(annotations, from);
  checkFrame(annotations, to);
  const name = checkLabel(context.labels, label);
  // Frames after the range keep the label they had: pin it with a keyframe before changing anything.
  const next = boxAt(track, to + 1);
  if (to + 1 < annotations.frameCount && next && !next.keyframe) keyframe(track, to + 1);
  if (boxAt(track, from)) keyframe(track, from);
  const inRange = track.shapes.filter((shape) => shape.frame >= from && shape.frame <= to && !shape.outside);
  if (inRange.length === 0) throw invalid(`track ${track.id} is not in view between frames ${from} and ${to}`, 'from');
  for (const shape of inRange) shape.label = name;
}

/** No rounding: a keyframe made where a box was interpolated leaves the boxes around it as they were. */
const exact = (value: number) => value;

/**
 * Before a track goes out of view on `frame`, its box is held rather than interpolated; a keyframe on
 * the frame before keeps that box where it was.
 */
function pinBeforeOutside(track: AnnotationTrack, frame: number): void {
  if (boxAt(track, frame - 1)) keyframe(track, frame - 1);
}

/** The keyframe on `frame`, made from the track's current box there if it is interpolated. */
function keyframe(track: AnnotationTrack, frame: number): Shape {
  const existing = track.shapes.find((shape) => shape.frame === frame);
  if (existing) return existing;
  const current = boxAt(track, frame, exact);
  const shape: Shape = current ? { ...shapeFrom(track, frame), ...pick(current), frame } : { ...shapeFrom(track, frame), frame };
  track.shapes.push(shape);
  track.shapes.sort((a, b) => a.frame - b.frame);
  return shape;
}

/** A copy of the keyframe in force on `frame` (the last one at or before it). */
function shapeFrom(track: AnnotationTrack, frame: number): Shape {
  const before = [...track.shapes].reverse().find((shape) => shape.frame <= frame) ?? track.shapes[0]!;
  return { ...before, attributes: { ...before.attributes } };
}

function newTrackId(annotations: ProjectAnnotations): number {
  return new TrackIds(annotations.tracks.map((track) => track.id)).next();
}

function firstCommonFrame(frameCount: number, a: AnnotationTrack, b: AnnotationTrack): number | null {
  const start = Math.max(a.shapes[0]!.frame, b.shapes[0]!.frame);
  for (let frame = start; frame < frameCount; frame++) if (boxAt(a, frame) && boxAt(b, frame)) return frame;
  return null;
}

function trackOf(context: Context, id: number, field = 'trackId'): AnnotationTrack {
  const track = context.annotations.tracks.find((candidate) => candidate.id === id);
  if (!track) throw invalid(`there is no track ${id}`, field);
  context.remember(id);
  return track;
}

function visibleFrame(annotations: ProjectAnnotations, track: AnnotationTrack, frame: number): number {
  checkFrame(annotations, frame);
  if (!boxAt(track, frame)) throw invalid(`track ${track.id} is not in view on frame ${frame}`, 'frame');
  return frame;
}

function checkFrame(annotations: ProjectAnnotations, frame: number): void {
  if (!Number.isInteger(frame) || frame < 0 || frame >= annotations.frameCount)
    throw invalid(`frame must be a whole number from 0 to ${annotations.frameCount - 1}, got ${frame}`, 'frame');
}

function checkLabel(labels: readonly string[], label: string): string {
  if (!labels.includes(label)) throw invalid(`"${label}" is not one of the project's labels (${labels.join(', ')})`, 'label');
  return label;
}

/** A box with some area, clipped to its frame (each photo of a collection has its own size). */
function checkGeometry(annotations: ProjectAnnotations, frame: number, box: BoxGeometry): BoxGeometry {
  const { width, height } = frameSize(annotations, frame);
  const clipped = {
    xtl: round2(Math.max(0, box.xtl)),
    ytl: round2(Math.max(0, box.ytl)),
    xbr: round2(Math.min(width, box.xbr)),
    ybr: round2(Math.min(height, box.ybr)),
  };
  if (![box.xtl, box.ytl, box.xbr, box.ybr].every(Number.isFinite) || clipped.xbr - clipped.xtl < 1 || clipped.ybr - clipped.ytl < 1) {
    throw invalid('the box must be at least 1 pixel wide and high inside the frame', 'box');
  }
  return clipped;
}

function copy<T>(value: T): T {
  return value === null ? value : structuredClone(value);
}

function invalid(message: string, field: string): WorkbenchError {
  return new WorkbenchError('invalid-request', message, { field });
}
