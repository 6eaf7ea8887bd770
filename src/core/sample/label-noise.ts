// A copy of the annotations with known mistakes, so that label review can be measured against them.

import type { AnnotationSet, BoxGeometry, TrackBox } from '../../shared/annotations';
import { round2 } from '../../shared/keyframes';
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

export interface LabelNoise {
  fraction: number;
  boxes: number;
  relabelled: Relabelled[];
  shifted: Shifted[];
}

/** The longest run of frames one mistake spans: annotators mislabel a stretch of a track, not a lone frame. */
const MAX_RUN = 12;

/**
 * Gives a `fraction` of all boxes a wrong label, in short runs along tracks as an annotator would, and
 * shifts a fifth as many boxes. Changed boxes and their neighbours become keyframes, so interpolation
 * leaves every other box exactly as it was.
 */
export function addLabelNoise(truth: AnnotationSet, fraction: number, random: Prng): { noisy: AnnotationSet; noise: LabelNoise } {
  const noisy: AnnotationSet = { ...truth, tracks: truth.tracks.map((track) => ({ id: track.id, boxes: track.boxes.map((box) => ({ ...box })) })) };
  const all = noisy.tracks.flatMap((track) => track.boxes.map((box, index) => ({ track, box, index })));
  const relabelled: Relabelled[] = [];
  const target = Math.round(fraction * all.length);
  const changed = new Set<TrackBox>();
  const give = guard(all.length);
  while (relabelled.length < target) {
    give();
    const { track, index } = random.pick(all);
    const wrong = random.pick(truth.labels.filter((name) => name !== track.boxes[index]!.label));
    const length = Math.min(random.int(1, MAX_RUN), target - relabelled.length);
    for (let i = index; i < Math.min(track.boxes.length, index + length); i++) {
      const box = track.boxes[i]!;
      if (changed.has(box) || box.label === wrong) continue;
      relabelled.push({ frame: box.frame, trackId: track.id, label: box.label, noisyLabel: wrong });
      box.label = wrong;
      changed.add(box);
      markKeyframes(track.boxes, i);
    }
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
  return { noisy, noise: { fraction, boxes: all.length, relabelled: relabelled.sort(byPlace), shifted: shifted.sort(byPlace) } };
}

/** Random picks skip boxes already changed; this ends the search if that ever stops making progress. */
function guard(boxes: number): () => void {
  let attempts = 0;
  return () => {
    if (++attempts > 100 * boxes + 1000) throw new Error('Could not place the requested label noise');
  };
}

function markKeyframes(boxes: TrackBox[], index: number): void {
  for (const i of [index - 1, index, index + 1]) if (boxes[i]) boxes[i]!.keyframe = true;
}
