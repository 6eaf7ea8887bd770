// The review queue: stretches of tracks where the model and the label disagree, the likeliest mistakes
// first. Annotators decide a label once for a stretch of a track (a keyframe, then interpolation), so a
// mistake is a stretch, often a whole track: the queue offers each as one entry, judged on all its boxes.

import type { DatasetOptions } from '../../shared/dataset';
import { keptKey, type BoxPrediction, type KeptLabel, type ProjectPredictions, type ReviewEntry } from '../../shared/review';
import { classOf } from '../../shared/dataset';

/** Frames of agreement between two doubted boxes that still leave them one entry (a third of a second at 25 fps). */
const MERGE_GAP = 8;
/** The share of a label's stretch the model must doubt for the entry to be the whole stretch. */
const MOST = 0.5;
/** How much the pooled doubt counts when the entry covers little of its label's stretch (the model, not the annotator, is likelier wrong). */
const PART_WEIGHT = 0.25;
/** Frames before and after an entry whose labels are its context (0.6 s at 25 fps). */
const CONTEXT = 15;
/** How much the pooled doubt counts when the labels around the entry agree with it, or there are none (a whole track). */
const ALONE = 0.25;
/**
 * Boxes beyond which a stretch inside a track counts less, in proportion (0.6 s at 25 fps): a wrong label
 * held longer between right ones is rarer than a real change (a mask put on, a face turned away) that
 * the model misjudges. A stretch no longer than this is one entry, whole.
 */
const LONG = 15;
/**
 * How much the pooled doubt counts when every box of the entry is occluded: the head crop then shows what
 * hides the face, often another person's, and the model judges that. On the sample with whole people
 * labelled wrong, the queue's first boxes were mostly short occluded stretches of right labels.
 */
const HIDDEN = 0.5;

export interface QueueOptions {
  top?: number;
  /** Labels a reviewer kept: their boxes are not doubted again, and split the stretches around them. */
  kept?: KeptLabel[];
}

/** A box the queue judges: its annotated class is one of the run's. */
interface Judged {
  prediction: BoxPrediction;
  annotated: string;
  disagrees: boolean;
}

/**
 * Entries ranked by the model's pooled doubt of their label, weighted by what makes a labelling mistake
 * likelier than a model's (see `score`). Boxes outside the run's classes are left out.
 */
export function reviewQueue(predictions: ProjectPredictions, classes: Pick<DatasetOptions, 'classes' | 'ndPolicy'>, options: QueueOptions = {}): ReviewEntry[] {
  const { top = Infinity, kept = [] } = options;
  const keptKeys = new Set(kept.map(keptKey));
  const byTrack = new Map<number, Judged[]>();
  for (const prediction of predictions.boxes) {
    const annotated = classOf(prediction.label, classes);
    if (annotated === null || !predictions.labels.includes(annotated)) continue;
    if (keptKeys.has(keptKey(prediction))) continue;
    if (!byTrack.has(prediction.trackId)) byTrack.set(prediction.trackId, []);
    byTrack.get(prediction.trackId)!.push({ prediction, annotated, disagrees: prediction.predicted !== annotated });
  }
  const labelsOf = new Map<number, Map<number, string>>();
  for (const { trackId, frame, label } of predictions.boxes) {
    if (!labelsOf.has(trackId)) labelsOf.set(trackId, new Map());
    labelsOf.get(trackId)!.set(frame, label);
  }
  const entries: ReviewEntry[] = [];
  for (const [trackId, boxes] of byTrack) {
    boxes.sort((a, b) => a.prediction.frame - b.prediction.frame);
    for (const stretch of labelStretches(boxes)) {
      for (const part of doubtedParts(stretch)) {
        const around = contrast(labelsOf.get(trackId)!, part);
        entries.push(entryOf(part, stretch.length, around, part.length === boxes.length, predictions.labels));
      }
    }
  }
  return entries.sort((a, b) => b.score - a.score || a.from - b.from || a.trackId - b.trackId).slice(0, top);
}

/** Consecutive frames of a track with one label: an annotator's one decision. A kept box, or a frame without a box, ends one. */
function labelStretches(boxes: Judged[]): Judged[][] {
  const stretches: Judged[][] = [];
  let current: Judged[] = [];
  for (const box of boxes) {
    const last = current.at(-1);
    if (last && (last.prediction.label !== box.prediction.label || box.prediction.frame !== last.prediction.frame + 1)) {
      stretches.push(current);
      current = [];
    }
    current.push(box);
  }
  if (current.length > 0) stretches.push(current);
  return stretches;
}

/**
 * The parts of a stretch the model doubts: all of it when it is short or the model doubts most of it
 * (one decision, right or wrong as a whole), else runs of doubted boxes a few frames apart at most.
 */
function doubtedParts(stretch: Judged[]): Judged[][] {
  const doubted = stretch.flatMap((box, index) => (box.disagrees ? [index] : []));
  if (doubted.length === 0) return [];
  if (stretch.length <= LONG || doubted.length >= MOST * stretch.length) return [stretch];
  const parts: Judged[][] = [];
  let first = doubted[0]!;
  let last = first;
  for (const index of doubted.slice(1)) {
    if (index - last - 1 > MERGE_GAP) {
      parts.push(stretch.slice(first, last + 1));
      first = index;
    }
    last = index;
  }
  parts.push(stretch.slice(first, last + 1));
  return parts;
}

/** The share of the track's boxes within CONTEXT frames before and after the part whose label differs from the part's. */
function contrast(track: Map<number, string>, part: Judged[]): number {
  const { label, frame: from } = part[0]!.prediction;
  const to = part.at(-1)!.prediction.frame;
  let around = 0;
  let differ = 0;
  for (let offset = 1; offset <= CONTEXT; offset++) {
    for (const frame of [from - offset, to + offset]) {
      const other = track.get(frame);
      if (other === undefined) continue;
      around++;
      if (other !== label) differ++;
    }
  }
  return around === 0 ? 0 : differ / around;
}

function entryOf(part: Judged[], stretchLength: number, around: number, wholeTrack: boolean, labels: string[]): ReviewEntry {
  const annotated = part[0]!.annotated;
  const index = labels.indexOf(annotated);
  // Judged on the boxes in view when there are any (see HIDDEN).
  const inView = part.filter((box) => !box.prediction.occluded);
  const judged = inView.length > 0 ? inView : part;
  // The mean of the model's probabilities: one confident box does not outweigh many that say otherwise.
  const pooled = labels.map((_, i) => judged.reduce((sum, box) => sum + box.prediction.probabilities[i]!, 0) / judged.length);
  let suggested = -1;
  pooled.forEach((p, i) => {
    if (i !== index && (suggested < 0 || p > pooled[suggested]!)) suggested = i;
  });
  const doubt = 1 - pooled[index]!;
  const coverage = part.length / stretchLength;
  const { prediction } = part[0]!;
  return {
    trackId: prediction.trackId,
    from: prediction.frame,
    to: part.at(-1)!.prediction.frame,
    annotated: prediction.label,
    suggested: labels[suggested]!,
    boxes: part.map(({ prediction: box }) => ({ frame: box.frame, box: box.box, doubt: round(1 - box.probabilities[index]!) })),
    wholeTrack,
    score: round(score(doubt, around, coverage, wholeTrack ? 0 : part.length, inView.length === 0)),
    doubt: round(doubt),
    coverage: round(coverage),
    contrast: round(around),
  };
}

/**
 * The pooled doubt, counted in full for a short stretch labelled otherwise than the boxes around it
 * which the entry covers whole; less where the labels around agree (a quarter, as for a whole track,
 * which has none around it), where it covers a small part of its label's stretch (a quarter: the
 * model slipped), for `length` boxes beyond LONG inside a track (in proportion), and when every box is
 * `hidden` (occluded: half).
 */
function score(doubt: number, contrast: number, coverage: number, length: number, hidden: boolean): number {
  const aroundWeight = ALONE + (1 - ALONE) * contrast;
  const coverWeight = PART_WEIGHT + (1 - PART_WEIGHT) * coverage;
  const lengthWeight = Math.min(1, LONG / Math.max(1, length));
  return doubt * aroundWeight * coverWeight * lengthWeight * (hidden ? HIDDEN : 1);
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
