import { describe, expect, it } from 'vitest';
import { timelineRows, type Band } from '../../src/renderer/src/components/annotate/timeline-rows';

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
});
