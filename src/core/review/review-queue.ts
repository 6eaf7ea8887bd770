// The review queue: boxes where the model and the label disagree, the likeliest mistakes first.

import type { DatasetOptions } from '../../shared/dataset';
import type { ProjectPredictions, ReviewEntry } from '../../shared/review';
import { classOf } from '../dataset/plan-dataset';

/** Ranked by the model's confidence that the box is not what its label says; boxes outside the run's classes are left out. */
export function reviewQueue(predictions: ProjectPredictions, classes: Pick<DatasetOptions, 'classes' | 'ndPolicy'>, top = Infinity): ReviewEntry[] {
  const entries = predictions.boxes.flatMap((box) => {
    const annotated = classOf(box.label, classes);
    const index = annotated === null ? -1 : predictions.labels.indexOf(annotated);
    if (index < 0 || box.predicted === annotated) return [];
    return [{ frame: box.frame, trackId: box.trackId, box: box.box, annotated: box.label, suggested: box.predicted, score: Math.round((1 - box.probabilities[index]!) * 10_000) / 10_000 }];
  });
  return entries.sort((a, b) => b.score - a.score || a.frame - b.frame || a.trackId - b.trackId).slice(0, top);
}
