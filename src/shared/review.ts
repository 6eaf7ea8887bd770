// A model in the loop: what a run's model says of each of the project's boxes, and the queue of boxes
// whose label it most doubts.

import type { BoxGeometry } from './annotations';
import { oneOf, v, whole } from './schema';

/** How many models a cross-fit trains, each without one part of the project's boxes. */
export const foldsSchema = v.optional(whole(2, 10), 3);

/**
 * What a cross-fit holds out for each model: a stretch of the clip (`time`), or some of the tracks, every
 * box of them (`track`), so each person is judged by a model that never saw them. Time folds find wrong
 * boxes and stretches best: their models know the person from the rest of the clip, rightly labelled.
 * Only track folds can find a person labelled wrong throughout: time folds' models learnt that label.
 */
export const FOLD_BY = ['time', 'track'] as const;
export type FoldBy = (typeof FOLD_BY)[number];
export const foldBySchema = v.optional(oneOf(FOLD_BY), 'time');

/** How many entries of the review queue to list. */
export const queueTopSchema = whole(1, 100_000);

export interface BoxPrediction {
  frame: number;
  trackId: number;
  /** The box's label when it was predicted. */
  label: string;
  box: BoxGeometry;
  predicted: string;
  /** One per class, in the run's label order. */
  probabilities: number[];
  /** The box was marked occluded when it was predicted. Absent from files written before it was recorded: read as false. */
  occluded?: boolean;
}

/** predictions/project.json in a run's folder. */
export interface ProjectPredictions {
  schema: 1;
  runId: string;
  backend: string;
  labels: string[];
  from: number;
  to: number;
  /** False when the job stopped before the end of the range: the boxes listed are all there is. */
  complete: boolean;
  /** Set for cross-fitted predictions: how many models, and what each held out. */
  crossFit?: { folds: number; by: FoldBy };
  boxes: BoxPrediction[];
}

/** One box of a review entry, with the model's doubt of its label. */
export interface ReviewBox {
  frame: number;
  box: BoxGeometry;
  /** The model's confidence that the box is not its annotated class. */
  doubt: number;
}

/**
 * A likely labelling mistake: consecutive boxes of one track carrying one label, which the model says is
 * another (a whole track when it doubts most of the track's label). Accepting it relabels its boxes.
 */
export interface ReviewEntry {
  trackId: number;
  /** The first and last frame of its boxes. */
  from: number;
  to: number;
  annotated: string;
  /** The class the model gives the boxes, their probabilities pooled. */
  suggested: string;
  /** One per frame from `from` to `to` where the track has a box; the model agrees with some of them. */
  boxes: ReviewBox[];
  /** The boxes are all of the track's boxes (those the model judged). */
  wholeTrack: boolean;
  /** How likely the label is wrong: the pooled doubt, weighted by how much of the label's stretch of the track the model doubts. */
  score: number;
  /** The model's confidence, pooled over the boxes in view (all of them when every one is occluded), that they are not their annotated class. */
  doubt: number;
  /** The share of the track's stretch with this label (the annotator's one decision) that the entry covers. */
  coverage: number;
  /** The share of the track's boxes just before and after the entry (15 frames each way) labelled otherwise: 0 for a whole track. */
  contrast: number;
}

/** A Grad-CAM heat map (core/review/grad-cam.ts). */
export interface GradCamMap {
  /** The convolution layer the map is taken from. */
  layer: string;
  rows: number;
  cols: number;
  /** Row by row, scaled to 0..1 by the largest; all 0 when nothing pushes towards the class. */
  values: number[];
}

/** Why the model said what it did of one box: a Grad-CAM heat map over the crop it saw. */
export interface BoxExplanation {
  runId: string;
  frame: number;
  trackId: number;
  /** The box's label at that frame. */
  label: string;
  /** The run's classes, in the order of `probabilities`. */
  labels: string[];
  predicted: string;
  probabilities: number[];
  /** The crop the model saw, as a PNG data URL, `size` pixels square. */
  crop: string;
  size: number;
  /** The convolution layer the map is taken from: the last one with a map of at least 4x4 cells. */
  layer: string;
  /** Grad-CAM of the predicted class, row by row, scaled to 0..1 (all 0 when nothing pushes towards it). */
  heat: Omit<GradCamMap, 'layer'>;
}

/** The most crops an entry's strip shows. */
export const STRIP_CROPS = 8;

/** One box of a queue entry as the model saw it, for the panel's strip. */
export interface EntryCrop {
  frame: number;
  /** A PNG data URL, the run's crop size square. */
  crop: string;
}

/** Up to STRIP_CROPS of the entry's frames, spread evenly from its first to its last box. */
export function stripFrames(entry: Pick<ReviewEntry, 'boxes'>): number[] {
  const frames = entry.boxes.map((box) => box.frame);
  if (frames.length <= STRIP_CROPS) return frames;
  return Array.from({ length: STRIP_CROPS }, (_, i) => frames[Math.round((i * (frames.length - 1)) / (STRIP_CROPS - 1))]!);
}

/** A label a reviewer kept against the model: it leaves the queue while the box keeps that label. */
export interface KeptLabel {
  frame: number;
  trackId: number;
  label: string;
}

/** A run's review queue, and what its predictions were. */
export interface ReviewQueue {
  runId: string;
  /** Scored by cross-fitted models that never saw the box; false when only the run's own (in-sample) predictions exist. */
  outOfSample: boolean;
  /** What the cross-fit held out for each model, when out of sample. */
  foldBy: FoldBy | null;
  /** False when the prediction job stopped early: boxes it did not reach are not in the queue. */
  complete: boolean;
  /** How many boxes the predictions judged: none when the job stopped before its first. */
  judged: number;
  entries: ReviewEntry[];
  /** Labels kept in earlier reviews (predictions/kept.json); an entry whose label is among them is decided. */
  kept: KeptLabel[];
}

/** A kept label as a key: the labels kept form a set of these, so a long list is looked up at once. */
export function keptKey(box: KeptLabel): string {
  return `${box.frame}/${box.trackId}/${box.label}`;
}

/** What keeping an entry's label records: one kept label per box. */
export function keptLabelsOf(entry: ReviewEntry): KeptLabel[] {
  return entry.boxes.map((box) => ({ frame: box.frame, trackId: entry.trackId, label: entry.annotated }));
}
