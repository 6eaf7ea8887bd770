// How much two boxes overlap: what links boxes into tracks, matches a detector's boxes to labelled ones,
// and scores a draft; and how much of a box lies in its frame.

import type { BoxGeometry } from './annotations';

/** Intersection over union: 1 for the same box, 0 for boxes apart. */
export function iou(a: BoxGeometry, b: BoxGeometry): number {
  const w = Math.min(a.xbr, b.xbr) - Math.max(a.xtl, b.xtl);
  const h = Math.min(a.ybr, b.ybr) - Math.max(a.ytl, b.ytl);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((a.xbr - a.xtl) * (a.ybr - a.ytl) + (b.xbr - b.xtl) * (b.ybr - b.ytl) - inter);
}

/** The part of `box` inside a frame of this size (no area where it lies wholly outside). */
export function withinFrame(box: BoxGeometry, width: number, height: number): BoxGeometry {
  return { xtl: Math.max(0, box.xtl), ytl: Math.max(0, box.ytl), xbr: Math.min(width, box.xbr), ybr: Math.min(height, box.ybr) };
}
