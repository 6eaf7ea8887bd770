// The review queue: boxes where the model and the label disagree, the likeliest mistakes first.

import type { DatasetOptions } from '../../shared/dataset';
import type { BoxPrediction, ProjectPredictions, ReviewEntry } from '../../shared/review';
import { classOf } from '../../shared/dataset';

/**
 * Frames either side whose labels a box's label is checked against. Annotators mislabel stretches of a
 * track; a label that differs from its track's labels around it, where the model doubts it too, is the
 * likeliest mistake. 15 frames is 0.6 s at 25 fps.
 */
export const TRACK_WINDOW = 15;
/** How much a model's doubt counts on its own, when the track's labels around the box agree with it (a whole track mislabelled). */
const MODEL_ALONE = 0.25;

export interface QueueOptions {
  top?: number;
  /** 0 ranks by the model's doubt alone. */
  trackWindow?: number;
}

/**
 * Ranked by the model's confidence that the box is not what its label says, weighted up where the labels
 * of the same track around it differ from it. Boxes outside the run's classes are left out.
 */
export function reviewQueue(predictions: ProjectPredictions, classes: Pick<DatasetOptions, 'classes' | 'ndPolicy'>, options: QueueOptions = {}): ReviewEntry[] {
  const { top = Infinity, trackWindow = TRACK_WINDOW } = options;
  const byTrack = new Map<number, Map<number, BoxPrediction>>();
  for (const box of predictions.boxes) {
    if (!byTrack.has(box.trackId)) byTrack.set(box.trackId, new Map());
    byTrack.get(box.trackId)!.set(box.frame, box);
  }
  const entries = predictions.boxes.flatMap((box): ReviewEntry[] => {
    const annotated = classOf(box.label, classes);
    const index = annotated === null ? -1 : predictions.labels.indexOf(annotated);
    if (index < 0 || box.predicted === annotated) return [];
    const doubt = 1 - box.probabilities[index]!;
    const disagreement = trackWindow > 0 ? trackDisagreement(byTrack.get(box.trackId)!, box, trackWindow) : 1;
    const score = trackWindow > 0 ? doubt * (MODEL_ALONE + (1 - MODEL_ALONE) * disagreement) : doubt;
    return [
      {
        frame: box.frame,
        trackId: box.trackId,
        box: box.box,
        annotated: box.label,
        suggested: box.predicted,
        score: round(score),
        doubt: round(doubt),
        trackDisagreement: round(disagreement),
      },
    ];
  });
  return entries.sort((a, b) => b.score - a.score || a.frame - b.frame || a.trackId - b.trackId).slice(0, top);
}

/** The share of the track's boxes within `window` frames whose label differs from this box's. */
function trackDisagreement(track: Map<number, BoxPrediction>, box: BoxPrediction, window: number): number {
  let others = 0;
  let differ = 0;
  for (let frame = box.frame - window; frame <= box.frame + window; frame++) {
    const other = frame === box.frame ? undefined : track.get(frame);
    if (!other) continue;
    others++;
    if (other.label !== box.label) differ++;
  }
  return others === 0 ? 0 : differ / others;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
