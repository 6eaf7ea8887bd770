// Box geometry for the canvas, in video pixels.

import type { BoxGeometry } from '../../../shared/annotations';

export type Handle = 'nw' | 'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w';
export const HANDLES: readonly Handle[] = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w'];

export interface Point {
  x: number;
  y: number;
}

/** Where each handle of a box sits. */
export function handlePoint(box: BoxGeometry, handle: Handle): Point {
  const x = handle.includes('w') ? box.xtl : handle.includes('e') ? box.xbr : (box.xtl + box.xbr) / 2;
  const y = handle.startsWith('n') ? box.ytl : handle.startsWith('s') ? box.ybr : (box.ytl + box.ybr) / 2;
  return { x, y };
}

/** The handle within `radius` of the point, if any. */
export function handleAt(box: BoxGeometry, point: Point, radius: number): Handle | null {
  return (
    HANDLES.find((handle) => {
      const at = handlePoint(box, handle);
      return Math.abs(at.x - point.x) <= radius && Math.abs(at.y - point.y) <= radius;
    }) ?? null
  );
}

/** The topmost of `boxes` (drawn last) that contains the point. */
export function boxAtPoint<T extends { box: BoxGeometry }>(boxes: T[], point: Point): T | null {
  for (let i = boxes.length - 1; i >= 0; i--) {
    const { box } = boxes[i]!;
    if (point.x >= box.xtl && point.x <= box.xbr && point.y >= box.ytl && point.y <= box.ybr) return boxes[i]!;
  }
  return null;
}

export function moveBox(box: BoxGeometry, dx: number, dy: number): BoxGeometry {
  return { xtl: box.xtl + dx, ytl: box.ytl + dy, xbr: box.xbr + dx, ybr: box.ybr + dy };
}

/** Drags one handle; the box never turns inside out. */
export function resizeBox(box: BoxGeometry, handle: Handle, to: Point): BoxGeometry {
  const next = { ...box };
  if (handle.includes('w')) next.xtl = Math.min(to.x, box.xbr - 1);
  if (handle.includes('e')) next.xbr = Math.max(to.x, box.xtl + 1);
  if (handle.startsWith('n')) next.ytl = Math.min(to.y, box.ybr - 1);
  if (handle.startsWith('s')) next.ybr = Math.max(to.y, box.ytl + 1);
  return next;
}

/** The box between two corners, however they were dragged. */
export function boxFromCorners(a: Point, b: Point): BoxGeometry {
  return { xtl: Math.min(a.x, b.x), ytl: Math.min(a.y, b.y), xbr: Math.max(a.x, b.x), ybr: Math.max(a.y, b.y) };
}

/**
 * Keeps a box inside the frame, and pulls edges within `threshold` pixels of the frame's edge onto it
 * (people cut by the frame's edge are boxed to the edge).
 */
export function snapToFrame(box: BoxGeometry, width: number, height: number, threshold: number): BoxGeometry {
  const snap = (value: number, edge: number) => (Math.abs(value - edge) <= threshold ? edge : value);
  const clamp = (value: number, max: number) => Math.max(0, Math.min(max, value));
  return {
    xtl: snap(clamp(box.xtl, width), 0),
    ytl: snap(clamp(box.ytl, height), 0),
    xbr: snap(clamp(box.xbr, width), width),
    ybr: snap(clamp(box.ybr, height), height),
  };
}
