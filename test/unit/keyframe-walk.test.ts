import { describe, expect, it } from 'vitest';
import type { AnnotationTrack, Shape } from '../../src/shared/annotations';
import { boxAt, boxesEvery } from '../../src/shared/keyframes';

const shape = (frame: number, x: number, extra: Partial<Shape> = {}): Shape => ({
  frame,
  xtl: x,
  ytl: 10,
  xbr: x + 33.3,
  ybr: 80,
  label: 'MW',
  occluded: false,
  outside: false,
  zOrder: 0,
  attributes: {},
  ...extra,
});

// Starts late, interpolates, leaves the view and comes back relabelled, then holds its last box to the end.
const track: AnnotationTrack = {
  id: 4,
  shapes: [
    shape(5, 0),
    shape(17, 120.7),
    shape(18, 40, { occluded: true }),
    shape(31, 0, { outside: true }),
    shape(44, 300, { label: 'NM' }),
    shape(45, 301),
    shape(61, 20, { outside: true }),
    shape(70, 90, { label: 'ND' }),
  ],
};

describe('boxesEvery', () => {
  it('gives what boxAt gives on every step-th frame, in order, for any step and end', () => {
    for (const step of [1, 2, 3, 7, 50])
      for (const end of [1, 18, 45, 100]) {
        const frames = Array.from({ length: Math.ceil(end / step) }, (_, i) => i * step);
        const expected = frames.flatMap((frame) => boxAt(track, frame) ?? []);
        expect(boxesEvery(track, step, end), `step ${step}, end ${end}`).toEqual(expected);
      }
  });
});
