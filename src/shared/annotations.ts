// Boxes and tracks as the core holds them, independent of any file format.

import type { ErrorLocation } from './errors';

export type AnnotationFormat = 'voc' | 'cvat-video' | 'cvat-images';
export const ANNOTATION_FORMATS: readonly AnnotationFormat[] = ['voc', 'cvat-video', 'cvat-images'];

export interface BoxGeometry {
  xtl: number;
  ytl: number;
  xbr: number;
  ybr: number;
}

/** One box of a track in one frame, keyframe or interpolated: what per-frame formats list. */
export interface TrackBox extends BoxGeometry {
  frame: number;
  label: string;
  /** Partly hidden behind something nearer. */
  occluded: boolean;
  /** Cut by the frame's edge (Pascal VOC's `truncated`). */
  truncated: boolean;
  /** CVAT: a box the annotator set; boxes between two keyframes are their linear interpolation. */
  keyframe: boolean;
  /** Drawing order in its frame: higher is nearer the camera. */
  zOrder: number;
  attributes?: Record<string, string>;
  pose?: string;
  difficult?: boolean;
  extra?: FormatExtra;
}

/** One person followed through the clip: a box in every frame where they are in view. */
export interface Track {
  id: number;
  /** Sorted by frame, one per frame. */
  boxes: TrackBox[];
  extra?: FormatExtra;
}

/** Every box of every frame written out: what the file formats are written from. */
export interface AnnotationSet {
  width: number;
  height: number;
  frameCount: number;
  /** File name of each frame, as Pascal VOC and CVAT for images name them. */
  frameNames: string[];
  labels: string[];
  tracks: Track[];
  extra?: ProjectAnnotations['extra'];
}

/** What a file format had that Maskbench does not model, kept so that an export gives it back. */
export interface FormatExtra {
  /** Unknown XML attributes of the element, by name. */
  xmlAttributes?: Record<string, string>;
  /** Unknown child elements, as fast-xml-parser objects (rebuilt on export). */
  elements?: Record<string, unknown>;
}

/**
 * A keyframe of a track: a box the annotator set. Frames between two keyframes are their linear
 * interpolation (as in CVAT), with the earlier keyframe's label and flags.
 */
export interface Shape extends BoxGeometry {
  frame: number;
  label: string;
  occluded: boolean;
  /** From this frame until the next keyframe, the track is out of view. */
  outside: boolean;
  zOrder: number;
  /** Named attributes as CVAT has them; a person's identity is the track, not an attribute. */
  attributes: Record<string, string>;
  /** Pascal VOC's per-object fields. */
  pose?: string;
  truncated?: boolean;
  difficult?: boolean;
  extra?: FormatExtra;
}

export interface AnnotationTrack {
  id: number;
  /** Sorted by frame, one per frame at most. */
  shapes: Shape[];
  extra?: FormatExtra;
}

export const ANNOTATIONS_SCHEMA = 1;

/** The project's own annotations file (annotations.json). */
export interface ProjectAnnotations {
  schema: typeof ANNOTATIONS_SCHEMA;
  width: number;
  height: number;
  frameCount: number;
  frameNames: string[];
  tracks: AnnotationTrack[];
  /** What the imported files had around the boxes, per frame (VOC files' other elements, CVAT images' attributes). */
  extra?: { frames?: Record<number, FormatExtra> };
}

/** A change to the annotations, applied in core; each can be undone and redone. */
export type Edit =
  | { type: 'create-track'; frame: number; box: BoxGeometry; label: string }
  | { type: 'move-box'; trackId: number; frame: number; box: BoxGeometry }
  | { type: 'delete-track'; trackId: number }
  | { type: 'relabel-box'; trackId: number; frame: number; label: string }
  | { type: 'relabel-track'; trackId: number; from: number; to: number; label: string }
  | { type: 'split-track'; trackId: number; frame: number }
  | { type: 'merge-tracks'; trackId: number; otherId: number }
  | { type: 'set-keyframe'; trackId: number; frame: number; keyframe: boolean }
  | { type: 'set-occluded'; trackId: number; frame: number; occluded: boolean }
  | { type: 'set-outside'; trackId: number; frame: number; outside: boolean };

/** What an edit (or its undo) changed: the new state of each track it touched, and the tracks it removed. */
export interface EditResult {
  tracks: AnnotationTrack[];
  removed: number[];
  canUndo: boolean;
  canRedo: boolean;
}

/** Something wrong in imported annotations. Errors skip the thing at fault; warnings only inform. */
export interface Problem extends ErrorLocation {
  severity: 'error' | 'warning';
  message: string;
}

export interface ImportReport {
  source: string;
  format: AnnotationFormat;
  frames: number;
  boxes: number;
  tracks: number;
  /** Tracks made by linking boxes that carried no identity. */
  tracksFormed: number;
  /** Boxes per label, after mapping. */
  labels: Record<string, number>;
  /** Source labels that were renamed, and to what. */
  mapped: Record<string, string>;
  /** Labels outside the project's set, with how many boxes carry them: kept, for the user to map or fix. */
  unknownLabels: Record<string, number>;
  problems: Problem[];
}

export interface ExportReport {
  format: AnnotationFormat;
  out: string;
  frames: number;
  boxes: number;
  tracks: number;
  /** What the annotations hold that this format cannot, in words. */
  notKept: string[];
}
