// A model in the loop: what a run's model says of each of the project's boxes, and the queue of boxes
// whose label it most doubts.

import type { BoxGeometry } from './annotations';
import { v, whole } from './schema';

/** How many models a cross-fit trains, each without one stretch of the clip. */
export const foldsSchema = v.optional(whole(2, 10), 3);

export interface BoxPrediction {
  frame: number;
  trackId: number;
  /** The box's label when it was predicted. */
  label: string;
  box: BoxGeometry;
  predicted: string;
  /** One per class, in the run's label order. */
  probabilities: number[];
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
  boxes: BoxPrediction[];
}

export interface ReviewEntry {
  frame: number;
  trackId: number;
  box: BoxGeometry;
  annotated: string;
  suggested: string;
  /** How likely the label is wrong: the model's doubt, weighted by how much the track's labels around it differ. */
  score: number;
  /** The model's confidence that the box is not its annotated class (out of sample when cross-fitted). */
  doubt: number;
  /** The share of the same track's boxes near it (see TRACK_WINDOW) labelled otherwise. */
  trackDisagreement: number;
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
  /** False when the prediction job stopped early: boxes it did not reach are not in the queue. */
  complete: boolean;
  entries: ReviewEntry[];
  /** Labels kept in earlier reviews (predictions/kept.json); an entry whose label is among them is decided. */
  kept: KeptLabel[];
}

/** Whether `entry`'s label was kept in an earlier review. */
export function isKept(kept: KeptLabel[], entry: ReviewEntry): boolean {
  return kept.some((label) => label.frame === entry.frame && label.trackId === entry.trackId && label.label === entry.annotated);
}
