// A copy of the annotations with known mistakes, so that label review can be measured against them.

import type { AnnotationSet, BoxGeometry, TrackBox } from '../../shared/annotations';
import { round2 } from '../../shared/keyframes';
import type { ReviewEntry } from '../../shared/review';
import { Prng } from '../util/prng';

export interface Relabelled {
  frame: number;
  trackId: number;
  label: string;
  noisyLabel: string;
}

export interface Shifted {
  frame: number;
  trackId: number;
  box: BoxGeometry;
  noisyBox: BoxGeometry;
}

/**
 * The shapes of labelling mistakes: `runs` of 1 to 12 frames of a track (the default), `isolated` boxes
 * whose neighbours are right, `stretch`es of 4 to 12 frames, and whole `track`s, the costliest (one wrong
 * choice at the first keyframe, carried by interpolation).
 */
export const NOISE_SHAPES = ['runs', 'isolated', 'stretch', 'track'] as const;
export type NoiseShape = (typeof NOISE_SHAPES)[number];

export interface LabelNoise {
  fraction: number;
  shape: NoiseShape;
  boxes: number;
  relabelled: Relabelled[];
  shifted: Shifted[];
}

/** The longest run of frames one mistake spans in `runs` and `stretch`. */
const MAX_RUN = 12;
/** The shortest of a `stretch`. */
const MIN_STRETCH = 4;

/**
 * Gives a `fraction` of all boxes a wrong label, in mistakes of the `shape` asked for, and shifts a fifth
 * as many boxes. Changed boxes and their neighbours become keyframes, so interpolation leaves every other
 * box exactly as it was. A stretch or a track is changed whole, so the last may pass the fraction a little.
 */
export function addLabelNoise(truth: AnnotationSet, fraction: number, random: Prng, shape: NoiseShape = 'runs'): { noisy: AnnotationSet; noise: LabelNoise } {
  const noisy: AnnotationSet = { ...truth, tracks: truth.tracks.map((track) => ({ id: track.id, boxes: track.boxes.map((box) => ({ ...box })) })) };
  const all = noisy.tracks.flatMap((track) => track.boxes.map((box, index) => ({ track, box, index })));
  const relabelled: Relabelled[] = [];
  const target = Math.round(fraction * all.length);
  const changed = new Set<TrackBox>();
  const relabel = (track: AnnotationSet['tracks'][number], index: number, wrong: string) => {
    const box = track.boxes[index]!;
    relabelled.push({ frame: box.frame, trackId: track.id, label: box.label, noisyLabel: wrong });
    box.label = wrong;
    changed.add(box);
    markKeyframes(track.boxes, index);
  };
  const give = guard(all.length);
  while (relabelled.length < target) {
    give();
    if (shape === 'track') {
      // One person at a time, each as likely as another, as an annotator errs: picked by box, long tracks were
      // likelier, and two of them made up the default sample's 5%.
      const track = random.pick(noisy.tracks);
      if (track.boxes.some((other) => changed.has(other))) continue;
      const wrong = random.pick(truth.labels.filter((name) => name !== mostCommonLabel(track.boxes)));
      track.boxes.forEach((other, i) => other.label !== wrong && relabel(track, i, wrong));
      continue;
    }
    const { track, box, index } = random.pick(all);
    const wrong = random.pick(truth.labels.filter((name) => name !== box.label));
    if (shape === 'isolated') {
      // Its neighbours keep their true labels, and are not themselves mistakes.
      const neighbours = [track.boxes[index - 1], track.boxes[index + 1]];
      if (changed.has(box) || neighbours.some((other) => other && (changed.has(other) || other.label === wrong))) continue;
      relabel(track, index, wrong);
      continue;
    }
    const length = shape === 'stretch' ? random.int(MIN_STRETCH, MAX_RUN) : Math.min(random.int(1, MAX_RUN), target - relabelled.length);
    const stretch = track.boxes.slice(index, index + length);
    // A stretch is all of one true label, whole, and apart from other mistakes.
    if (shape === 'stretch' && (stretch.length < length || stretch.some((other) => other.label !== box.label || changed.has(other)))) continue;
    for (let i = index; i < index + stretch.length; i++) if (!changed.has(track.boxes[i]!) && track.boxes[i]!.label !== wrong) relabel(track, i, wrong);
  }
  const shifted: Shifted[] = [];
  const shiftTarget = Math.round((fraction / 5) * all.length);
  const giveShift = guard(all.length);
  while (shifted.length < shiftTarget) {
    giveShift();
    const { track, box, index } = random.pick(all);
    if (changed.has(box)) continue;
    const width = box.xbr - box.xtl;
    const height = box.ybr - box.ytl;
    const dx = random.range(0.1, 0.3) * width * (random.chance(0.5) ? -1 : 1);
    const dy = random.range(0.05, 0.15) * height * (random.chance(0.5) ? -1 : 1);
    const before = { xtl: box.xtl, ytl: box.ytl, xbr: box.xbr, ybr: box.ybr };
    const after = {
      xtl: round2(Math.max(0, box.xtl + dx)),
      ytl: round2(Math.max(0, box.ytl + dy)),
      xbr: round2(Math.min(truth.width, box.xbr + dx)),
      ybr: round2(Math.min(truth.height, box.ybr + dy)),
    };
    if (after.xbr - after.xtl < 2 || after.ybr - after.ytl < 2) continue;
    Object.assign(box, after);
    changed.add(box);
    markKeyframes(track.boxes, index);
    shifted.push({ frame: box.frame, trackId: track.id, box: before, noisyBox: after });
  }
  const byPlace = (a: { frame: number; trackId: number }, b: { frame: number; trackId: number }) => a.frame - b.frame || a.trackId - b.trackId;
  return { noisy, noise: { fraction, shape, boxes: all.length, relabelled: relabelled.sort(byPlace), shifted: shifted.sort(byPlace) } };
}

/** Random picks skip boxes already changed; this ends the search if that ever stops making progress. */
function guard(boxes: number): () => void {
  let attempts = 0;
  return () => {
    if (++attempts > 100 * boxes + 1000) throw new Error('Could not place the requested label noise');
  };
}

function mostCommonLabel(boxes: TrackBox[]): string {
  const counts = new Map<string, number>();
  for (const box of boxes) counts.set(box.label, (counts.get(box.label) ?? 0) + 1);
  return [...counts].reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
}

/**
 * How well a review queue finds the mistakes: the share of wrong labels among the first K boxes its
 * entries cover, in queue order, K being how many labels were made wrong.
 */
export function precisionAtK(entries: ReviewEntry[], noise: Pick<LabelNoise, 'relabelled'>): number {
  const wrong = new Set(noise.relabelled.map((box) => `${box.frame}/${box.trackId}`));
  const k = wrong.size;
  const covered = entries.flatMap((entry) => entry.boxes.map((box) => `${box.frame}/${entry.trackId}`)).slice(0, k);
  return k === 0 ? 1 : covered.filter((key) => wrong.has(key)).length / k;
}

function markKeyframes(boxes: TrackBox[], index: number): void {
  for (const i of [index - 1, index, index + 1]) if (boxes[i]) boxes[i]!.keyframe = true;
}
