// Finding people in a video: a detector's description (detector.json beside a tfjs graph model), the
// options of a detection job, and the draft it writes (drafts/people.json).

import type { AnnotationTrack, BoxGeometry } from './annotations';
import { boxAt, interpolate } from './keyframes';
import { iou } from './overlap';
import { MAX_FRAMES } from './project';
import { decimal, fields, flag, list, oneOf, text, v, whole, type Output } from './schema';

export const DETECTOR_SCHEMA = 1;
export const DETECTOR_FILE = 'detector.json';

const classes = {
  classes: whole(1, 10_000),
  /** The class that is a person. */
  person: whole(0, 9_999),
};

/** How a model's outputs become boxes, by the head that made them. */
const outputSchema = v.variant(
  'decoding',
  [
    // NanoDet's head: per stride, a map of class scores and a distribution over each side's distance from the cell.
    fields({
      decoding: v.literal('gfl'),
      strides: v.pipe(list(whole(1, 512)), v.minLength(1, 'a list of at least one stride')),
      /** Bins of each side's distance distribution (reg_max + 1). */
      bins: whole(1, 64),
      ...classes,
    }),
    // YOLO's (as exported to TensorFlow.js): one tensor of candidates, each a centre, a size (in the input's
    // pixels) and class scores, with an objectness score before them in YOLOv5 and earlier.
    fields({ decoding: v.literal('yolo'), objectness: flag(), ...classes }),
  ],
  'an object whose "decoding" is "gfl" or "yolo"',
);

export type OutputDecoding = Output<typeof outputSchema>;

/** detector.json: what the model takes in and how its outputs are read. */
export const detectorDescriptionSchema = fields({
  schema: v.literal(DETECTOR_SCHEMA, `schema ${DETECTOR_SCHEMA}`),
  name: text(),
  /** The tfjs graph model's model.json, relative to the description. */
  model: text('a path relative to detector.json'),
  input: fields({
    width: whole(16, 4096),
    height: whole(16, 4096),
    /** Channels first (`nchw`, as models converted from PyTorch take) or last. */
    layout: oneOf(['nchw', 'nhwc'] as const),
    channels: oneOf(['rgb', 'bgr'] as const),
    /** Per channel, in the order `channels` names them, on pixel values from 0 to 255: (value - mean) / std. */
    mean: v.pipe(list(decimal(-1000, 1000)), v.length(3, 'a list of 3 numbers')),
    std: v.pipe(list(decimal(0, 1000, { above: true })), v.length(3, 'a list of 3 numbers')),
  }),
  output: outputSchema,
});

export type DetectorDescription = Output<typeof detectorDescriptionSchema>;

/** A person found in one frame, in the frame's pixels. */
export interface Detection extends BoxGeometry {
  score: number;
}

export const detectOptionsSchema = fields({
  /** Detect on every k-th frame; tracking fills the frames between. */
  every: v.optional(whole(1, 1000), 1),
  from: v.optional(whole(0, MAX_FRAMES)),
  to: v.optional(whole(0, MAX_FRAMES)),
  /** A detector folder (with detector.json); the bundled one when left out. */
  model: v.optional(text('a folder')),
  /**
   * The score a track must reach on some frame to be kept. Weaker detections, down to
   * CONTINUE_FRACTION of it, only continue tracks (so a person half hidden for a while keeps their track).
   */
  threshold: v.optional(decimal(0, 1, { above: true }), 0.5),
  /** The frame's scale before it is cut into tiles of the model's size; by default its height fills one tile. */
  scale: v.optional(decimal(0.05, 8)),
  /** Tracks found on fewer detections than this are flickers and dropped. */
  minDetections: v.optional(whole(1, 1000), 3),
  /** A training run whose classifier proposes each person's label; without one, ND is proposed where no face shows. */
  runId: v.optional(text('a run id')),
  /** The face finder's score from which a face shows (used without a run). */
  faceThreshold: v.optional(decimal(0, 1, { above: true }), 0.4),
  /** Overwrite a draft that is there already. */
  replace: v.optional(flag(), false),
});

export type DetectOptions = Output<typeof detectOptionsSchema>;

/** Detections scoring this share of the threshold continue tracks but start none. */
export const CONTINUE_FRACTION = 0.4;

const coordinate = v.pipe(v.number('a number'), v.finite('a number'));
const draftKeyframeSchema = fields({
  frame: whole(0, MAX_FRAMES),
  xtl: coordinate,
  ytl: coordinate,
  xbr: coordinate,
  ybr: coordinate,
  /** The detector's confidence; 0 where the track was carried across the frame's edge past its detections. */
  score: decimal(0, 1),
});

/** drafts/people.json: what a detection job proposes, beside the project's own annotations. */
export const peopleDraftSchema = fields({
  schema: v.literal(1, 'schema 1'),
  detector: text(),
  every: whole(1, 1000),
  from: whole(0, MAX_FRAMES),
  to: whole(0, MAX_FRAMES),
  threshold: decimal(0, 1),
  scale: decimal(0.05, 8),
  /** False when the job stopped before `to`: the tracks cover the frames it reached. */
  complete: flag(),
  /** What proposed the labels: a run's id, "faces" (ND where no face shows), or null (a job stopped before). */
  labelledBy: v.nullable(text()),
  /** Frames the detector ran on, and how long it took. */
  framesDetected: whole(0, MAX_FRAMES),
  seconds: decimal(0, 1e9),
  tracks: list(
    fields({
      id: whole(1, Number.MAX_SAFE_INTEGER),
      /** In frame order, interpolated between; the track ends after the last. */
      keyframes: v.pipe(list(draftKeyframeSchema), v.minLength(1, 'a list of at least one keyframe')),
      /** The label proposed, or null where it is left to the annotator. */
      label: v.nullable(text('a label name')),
    }),
  ),
});

export type PeopleDraft = Output<typeof peopleDraftSchema>;
export type DraftTrack = PeopleDraft['tracks'][number];
export type DraftKeyframe = DraftTrack['keyframes'][number];

/** A draft track's box on `frame`: interpolated between its keyframes; null outside its span. */
export function draftBoxAt(track: DraftTrack, frame: number): DraftKeyframe | null {
  const { keyframes } = track;
  if (frame < keyframes[0]!.frame || frame > keyframes.at(-1)!.frame) return null;
  const after = keyframes.findIndex((keyframe) => keyframe.frame >= frame);
  const next = keyframes[after]!;
  if (next.frame === frame) return next;
  const before = keyframes[after - 1]!;
  return { ...interpolate(before, next, frame, (value) => value), frame, score: Math.min(before.score, next.score) };
}

/** Draft and labelled boxes overlapping this much (IoU) are the same person. */
export const SAME_PERSON_IOU = 0.5;

/**
 * The draft's tracks that are not yet among `labelled`: those that, on at least half their keyframes,
 * overlap no labelled box. An accepted track thus leaves the draft's list, and comes back if undone.
 */
export function newInDraft(draft: PeopleDraft, labelled: readonly AnnotationTrack[]): DraftTrack[] {
  return draft.tracks.filter((track) => {
    const matched = track.keyframes.filter((keyframe) =>
      labelled.some((other) => {
        const box = boxAt(other, keyframe.frame);
        return box !== null && iou(box, keyframe) >= SAME_PERSON_IOU;
      }),
    ).length;
    return matched * 2 < track.keyframes.length;
  });
}

/** The last frame the draft's detector reached (a job stopped early covers its range in part). */
export function lastDetectedFrame(draft: PeopleDraft): number {
  return draft.complete ? draft.to : draft.from + (draft.framesDetected - 1) * draft.every;
}

/** Of `labelled` (boxes on `frame` by track), the tracks whose box no draft box overlaps: people the detector did not find. */
export function notFoundAt(draft: PeopleDraft, labelled: ReadonlyArray<{ trackId: number; box: BoxGeometry }>, frame: number): number[] {
  if (frame < draft.from || frame > lastDetectedFrame(draft)) return [];
  const found = draft.tracks.flatMap((track) => draftBoxAt(track, frame) ?? []);
  return labelled.filter(({ box }) => !found.some((other) => iou(other, box) >= SAME_PERSON_IOU)).map(({ trackId }) => trackId);
}
