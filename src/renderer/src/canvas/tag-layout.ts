// Where the tags of boxes go so that none hides another: in a crowd, boxes touch and their tags, wider
// than a far person's box, would be drawn over each other.

export interface Spot {
  x: number;
  y: number;
}

export interface Tag {
  width: number;
  height: number;
  /** Where it may go, the best first. */
  spots: Spot[];
}

export interface PlacedTag extends Spot {
  width: number;
  height: number;
}

/**
 * Each tag at the first of its spots that overlaps no tag placed before it, or at its first spot when
 * every one does. `tags` come the most important first: they get the best spots.
 */
export function placeTags(tags: Tag[]): PlacedTag[] {
  const placed: PlacedTag[] = [];
  for (const tag of tags) {
    const free = tag.spots.find((spot) => placed.every((other) => !overlaps({ ...spot, width: tag.width, height: tag.height }, other)));
    placed.push({ ...(free ?? tag.spots[0]!), width: tag.width, height: tag.height });
  }
  return placed;
}

function overlaps(a: PlacedTag, b: PlacedTag): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}
