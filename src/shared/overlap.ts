// How much two boxes overlap: what links boxes into tracks, matches a detector's boxes to labelled ones,
// and scores a draft; and how much of a box lies in its frame.

import type { BoxGeometry } from './annotations';

/** Intersection over union: 1 for the same box, 0 for boxes apart. */
export function iou(a: BoxGeometry, b: BoxGeometry): number {
  const inter = intersection(a, b);
  return inter === 0 ? 0 : inter / (area(a) + area(b) - inter);
}

/** The share of `a`'s area that lies inside `b`: 1 for a box wholly within `b`, however large `b` is. */
export function shareInside(a: BoxGeometry, b: BoxGeometry): number {
  const inter = intersection(a, b);
  return inter === 0 ? 0 : inter / area(a);
}

function intersection(a: BoxGeometry, b: BoxGeometry): number {
  const w = Math.min(a.xbr, b.xbr) - Math.max(a.xtl, b.xtl);
  const h = Math.min(a.ybr, b.ybr) - Math.max(a.ytl, b.ytl);
  return w <= 0 || h <= 0 ? 0 : w * h;
}

const area = (box: BoxGeometry) => (box.xbr - box.xtl) * (box.ybr - box.ytl);

/** The part of `box` inside a frame of this size (no area where it lies wholly outside). */
export function withinFrame(box: BoxGeometry, width: number, height: number): BoxGeometry {
  return { xtl: Math.max(0, box.xtl), ytl: Math.max(0, box.ytl), xbr: Math.min(width, box.xbr), ybr: Math.min(height, box.ybr) };
}
