// A model in the loop: what a run's model says of each of the project's boxes, and the queue of boxes
// whose label it most doubts.

import type { BoxGeometry } from './annotations';

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
