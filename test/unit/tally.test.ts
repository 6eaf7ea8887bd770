import { describe, expect, it } from 'vitest';
import { tally } from '../../src/core/util/tally';

describe('tally', () => {
  it('counts labels named after Object.prototype members as themselves', () => {
    const counts: Record<string, number> = {};
    for (const label of ['MW', 'constructor', 'constructor', 'toString', '__proto__', 'MW']) tally(counts, label);
    expect(Object.entries(counts)).toEqual([
      ['MW', 2],
      ['constructor', 2],
      ['toString', 1],
      ['__proto__', 1],
    ]);
    expect(Object.getPrototypeOf(counts)).toBe(Object.prototype);
  });
});
