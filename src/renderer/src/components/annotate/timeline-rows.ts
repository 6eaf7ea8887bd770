// Which row of the timeline each track's band goes in.

export interface Band {
  id: number;
  runs: Array<{ from: number; to: number; label: string }>;
}

/**
 * One row per track; or, for photos (each box a track of its own, on its photo alone), as many tracks to
 * a row as fit side by side, so a collection of thousands of boxes needs as many rows as its most crowded
 * photo has boxes rather than thousands.
 */
export function timelineRows(bands: Band[], packed: boolean): Band[][] {
  if (!packed) return bands.map((band) => [band]);
  const rows: Band[][] = [];
  // By first frame, each into the first row free by then: the fewest rows there can be.
  const byStart = bands.filter((band) => band.runs.length > 0).sort((a, b) => a.runs[0]!.from - b.runs[0]!.from || a.id - b.id);
  for (const band of byStart) {
    const row = rows.find((candidate) => candidate.at(-1)!.runs.at(-1)!.to < band.runs[0]!.from);
    if (row) row.push(band);
    else rows.push([band]);
  }
  return rows;
}

/**
 * The frames between numbered ticks on the ruler: 1, 2 or 5 times a power of ten, at least `minPixels`
 * apart; on a ruler too narrow for two ticks (hidden, say), the whole clip.
 */
export function rulerStep(frameCount: number, widthPixels: number, minPixels = 70): number {
  const frames = Math.max(1, frameCount);
  const perFrame = widthPixels / frames;
  for (let power = 1; power < frames; power *= 10) for (const step of [1, 2, 5].map((base) => base * power)) if (step * perFrame >= minPixels) return step;
  return frames;
}
