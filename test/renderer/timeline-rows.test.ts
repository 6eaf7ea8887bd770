import { describe, expect, it } from 'vitest';
import { rulerStep, timelineRows, type Band } from '../../src/renderer/src/components/annotate/timeline-rows';

const band = (id: number, from: number, to = from): Band => ({ id, runs: [{ from, to, label: 'MW' }] });

describe('timeline rows', () => {
  it('gives each track of a video its own row', () => {
    const bands = [band(0, 0, 10), band(1, 20, 30)];
    expect(timelineRows(bands, false)).toEqual([[bands[0]], [bands[1]]]);
  });

  it('packs photos’ boxes so the rows are as many as the most crowded photo’s boxes', () => {
    // Three photos with 2, 3 and 1 boxes: one track per box, each on its photo alone.
    const bands = [band(0, 0), band(1, 0), band(2, 1), band(3, 1), band(4, 1), band(5, 2)];
    expect(timelineRows(bands, true).map((row) => row.map((entry) => entry.id))).toEqual([[0, 2, 5], [1, 3], [4]]);
  });

  it('numbers the ruler every 1, 2 or 5 times a power of ten frames, as close as fits', () => {
    expect(rulerStep(160, 1000)).toBe(20);
    expect(rulerStep(160, 1400)).toBe(10);
    expect(rulerStep(100_000, 1000)).toBe(10_000);
    expect(rulerStep(10, 1000)).toBe(1);
    // A hidden timeline has no width (or less than its gutter): one tick, and no endless search for a step.
    expect(rulerStep(160, 0)).toBe(160);
    expect(rulerStep(160, -34)).toBe(160);
  });
});
