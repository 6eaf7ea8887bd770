// The mistake maker that label review is measured with: each shape makes the mistakes it names, and
// nothing else changes.

import { describe, expect, it } from 'vitest';
import type { AnnotationSet, Track } from '../../src/shared/annotations';
import { addLabelNoise, NOISE_SHAPES, type NoiseShape } from '../../src/core/sample/label-noise';
import { Prng } from '../../src/core/util/prng';

/** 12 tracks of 60 to 170 frames; each changes label once or twice, as people put a mask on or turn away. */
function truth(): AnnotationSet {
  const labels = ['MW', 'NM', 'ND'];
  const tracks: Track[] = Array.from({ length: 12 }, (_, id) => ({
    id,
    boxes: Array.from({ length: 60 + id * 10 }, (_, i) => ({
      frame: id * 5 + i,
      xtl: i,
      ytl: 10,
      xbr: i + 20,
      ybr: 60,
      label: labels[(id + Math.floor(i / 40)) % 3]!,
      occluded: false,
      truncated: false,
      keyframe: i === 0,
      zOrder: 0,
    })),
  }));
  return { width: 400, height: 200, frameCount: 300, frameNames: [], labels, tracks };
}

/** Each track's runs of consecutive relabelled boxes: [trackId, first index, length]. */
function mistakes(shape: NoiseShape, seed = 3) {
  const clean = truth();
  const { noisy, noise } = addLabelNoise(clean, 0.05, new Prng(seed), shape);
  const runs: Array<{ track: Track; from: number; length: number }> = [];
  noisy.tracks.forEach((track, t) => {
    track.boxes.forEach((box, i) => {
      if (box.label === clean.tracks[t]!.boxes[i]!.label) return;
      const last = runs.at(-1);
      if (last && last.track === track && last.from + last.length === i) last.length++;
      else runs.push({ track, from: i, length: 1 });
    });
  });
  return { clean, noisy, noise, runs };
}

describe('label noise', () => {
  it('lists exactly the boxes whose label it changed, for every shape, and makes the same mistakes for the same seed', () => {
    for (const shape of NOISE_SHAPES) {
      const { clean, noisy, noise, runs } = mistakes(shape);
      const changed = runs.flatMap(({ track, from, length }) => track.boxes.slice(from, from + length).map((box) => `${box.frame}/${track.id}:${box.label}`));
      expect(noise.relabelled.map((entry) => `${entry.frame}/${entry.trackId}:${entry.noisyLabel}`).sort()).toEqual(changed.sort());
      expect(noise.shape).toBe(shape);
      expect(noise.relabelled.length).toBeGreaterThanOrEqual(Math.round(0.05 * noise.boxes));
      expect(clean.tracks.flatMap((track) => track.boxes)).toHaveLength(noise.boxes);
      expect(mistakes(shape).noise).toEqual(noise);
      expect(noisy.tracks.map((track) => track.boxes.length)).toEqual(clean.tracks.map((track) => track.boxes.length));
    }
  });

  it('makes isolated mistakes: one box, between neighbours that keep their true label and differ from it', () => {
    const { runs } = mistakes('isolated');
    expect(runs.length).toBeGreaterThan(10);
    for (const { track, from, length } of runs) {
      expect(length).toBe(1);
      for (const neighbour of [track.boxes[from - 1], track.boxes[from + 1]]) if (neighbour) expect(neighbour.label).not.toBe(track.boxes[from]!.label);
    }
  });

  it('makes stretches of 4 to 12 frames of one true label, and whole tracks', () => {
    const stretches = mistakes('stretch');
    for (const { length } of stretches.runs) expect(length).toBeGreaterThanOrEqual(4);
    // Two stretches may touch; none is longer than two of them.
    for (const { length } of stretches.runs) expect(length).toBeLessThanOrEqual(24);
    const { clean, noisy, runs, noise } = mistakes('track');
    const tracks = new Set(noise.relabelled.map((entry) => entry.trackId));
    for (const id of tracks) {
      // A whole track carries one wrong label: every box that had another label now has it.
      const labels = new Set(noisy.tracks[id]!.boxes.map((box) => box.label));
      expect(labels.size).toBe(1);
      const wrong = [...labels][0]!;
      expect(noise.relabelled.filter((entry) => entry.trackId === id)).toHaveLength(clean.tracks[id]!.boxes.filter((box) => box.label !== wrong).length);
    }
    expect(runs.every(({ track }) => tracks.has(track.id))).toBe(true);
  });

  it('takes whole tracks person by person: a short track is about as likely to be wrong as a long one', () => {
    // Tracks 0-3 hold 60-90 boxes, tracks 8-11 140-170; a pick by box would take the long ones twice as often.
    const picks = new Array<number>(12).fill(0);
    for (let seed = 1; seed <= 300; seed++) for (const id of new Set(mistakes('track', seed).noise.relabelled.map((entry) => entry.trackId))) picks[id]!++;
    const sum = (ids: number[]) => ids.reduce((total, id) => total + picks[id]!, 0);
    expect(sum([0, 1, 2, 3]) / sum([8, 9, 10, 11])).toBeGreaterThan(0.8);
  });
});
