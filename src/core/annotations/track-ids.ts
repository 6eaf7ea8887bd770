// Ids for new tracks (boxes linked by position, a split, a track drawn by hand).

/**
 * Hands out ids no track has: one above the highest so far (1 when there is none), or, once that would
 * not be a safe integer (a file's own ids can reach 2^53 - 1), the lowest free one.
 */
export class TrackIds {
  private readonly used = new Set<number>();
  private highest = 0;
  private lowestFree = 0;

  constructor(ids: Iterable<number> = []) {
    for (const id of ids) this.take(id);
  }

  has(id: number): boolean {
    return this.used.has(id);
  }

  take(id: number): void {
    this.used.add(id);
    this.highest = Math.max(this.highest, id);
  }

  next(): number {
    let id = this.highest + 1;
    if (!Number.isSafeInteger(id)) {
      while (this.used.has(this.lowestFree)) this.lowestFree++;
      id = this.lowestFree;
    }
    this.take(id);
    return id;
  }
}
