// Drawing into an RGB frame. A person is drawn into a sprite at twice the resolution and averaged
// down, which anti-aliases every edge with plain (aliased) shape filling.

import type { Shape } from './pose';

export interface Frame {
  width: number;
  height: number;
  /** RGB, row by row. */
  rgb: Uint8Array;
}

const SUPERSAMPLE = 2;

/** Draws `shapes` (back to front) onto the frame, anti-aliased, clipped to the frame. */
export function drawShapes(frame: Frame, shapes: Shape[], bounds: { xtl: number; ytl: number; xbr: number; ybr: number }): void {
  const x0 = Math.max(0, Math.floor(bounds.xtl));
  const y0 = Math.max(0, Math.floor(bounds.ytl));
  const x1 = Math.min(frame.width, Math.ceil(bounds.xbr));
  const y1 = Math.min(frame.height, Math.ceil(bounds.ybr));
  if (x1 <= x0 || y1 <= y0) return;
  const sw = (x1 - x0) * SUPERSAMPLE;
  const sh = (y1 - y0) * SUPERSAMPLE;
  // Each sprite pixel holds the number of the last shape painted on it (0: none), and colours are read
  // once, at the end. A person has some forty shapes: bytes are faster (the default sample renders in 28 s
  // with them, 36 s with 16 bits), and 16 bits are there for a figure of more than 255.
  const painted = shapes.length < 256 ? new Uint8Array(sw * sh) : new Uint16Array(sw * sh);
  const toSprite = (x: number, origin: number) => (x - origin) * SUPERSAMPLE;
  shapes.forEach((shape, index) => {
    const paint = (row: number, from: number, to: number) => {
      const start = Math.max(0, from);
      const end = Math.min(sw - 1, to);
      if (end >= start) painted.fill(index + 1, row * sw + start, row * sw + end + 1);
    };
    if (shape.kind === 'ellipse') {
      fillEllipse(toSprite(shape.cx, x0), toSprite(shape.cy, y0), shape.rx * SUPERSAMPLE, shape.ry * SUPERSAMPLE, sh, paint);
    } else {
      const points = shape.points.map((value, i) => (i % 2 === 0 ? toSprite(value, x0) : toSprite(value, y0)));
      fillConvexPolygon(points, sh, paint);
    }
  });
  // Average each 2x2 block into one frame pixel, blending by how much of it the person covers.
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      let covered = 0;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < SUPERSAMPLE; dy++) {
        for (let dx = 0; dx < SUPERSAMPLE; dx++) {
          const shape = painted[((y - y0) * SUPERSAMPLE + dy) * sw + (x - x0) * SUPERSAMPLE + dx]!;
          if (shape === 0) continue;
          const color = shapes[shape - 1]!.color;
          covered++;
          r += color[0];
          g += color[1];
          b += color[2];
        }
      }
      if (covered === 0) continue;
      const a = covered / (SUPERSAMPLE * SUPERSAMPLE);
      const o = (y * frame.width + x) * 3;
      frame.rgb[o] = frame.rgb[o]! * (1 - a) + (r / covered) * a;
      frame.rgb[o + 1] = frame.rgb[o + 1]! * (1 - a) + (g / covered) * a;
      frame.rgb[o + 2] = frame.rgb[o + 2]! * (1 - a) + (b / covered) * a;
    }
  }
}

/** Darkens a soft elliptical patch: a person's shadow on the ground. */
export function drawShadow(frame: Frame, cx: number, cy: number, rx: number, ry: number, strength: number): void {
  const xa = Math.max(0, Math.floor(cx - rx));
  const xb = Math.min(frame.width - 1, Math.ceil(cx + rx));
  const ya = Math.max(0, Math.floor(cy - ry));
  const yb = Math.min(frame.height - 1, Math.ceil(cy + ry));
  for (let y = ya; y <= yb; y++) {
    for (let x = xa; x <= xb; x++) {
      const d = ((x + 0.5 - cx) / rx) ** 2 + ((y + 0.5 - cy) / ry) ** 2;
      if (d >= 1) continue;
      const keep = 1 - strength * (1 - d);
      const o = (y * frame.width + x) * 3;
      frame.rgb[o] = frame.rgb[o]! * keep;
      frame.rgb[o + 1] = frame.rgb[o + 1]! * keep;
      frame.rgb[o + 2] = frame.rgb[o + 2]! * keep;
    }
  }
}

type Span = (row: number, from: number, to: number) => void;

/** Fills the pixels whose centres lie inside the ellipse, row by row. */
function fillEllipse(cx: number, cy: number, rx: number, ry: number, rows: number, span: Span): void {
  if (rx <= 0 || ry <= 0) return;
  const top = Math.max(0, Math.ceil(cy - ry - 0.5));
  const bottom = Math.min(rows - 1, Math.floor(cy + ry - 0.5));
  for (let row = top; row <= bottom; row++) {
    const t = (row + 0.5 - cy) / ry;
    const half = rx * Math.sqrt(Math.max(0, 1 - t * t));
    const from = Math.ceil(cx - half - 0.5);
    const to = Math.floor(cx + half - 0.5);
    if (to >= from) span(row, from, to);
  }
}

/** Fills the pixels whose centres lie inside a convex polygon given as flat [x0, y0, x1, y1, ...]. */
function fillConvexPolygon(points: number[], rows: number, span: Span): void {
  const n = points.length / 2;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minY = Math.min(minY, points[i * 2 + 1]!);
    maxY = Math.max(maxY, points[i * 2 + 1]!);
  }
  const top = Math.max(0, Math.ceil(minY - 0.5));
  const bottom = Math.min(rows - 1, Math.floor(maxY - 0.5));
  for (let row = top; row <= bottom; row++) {
    const y = row + 0.5;
    let left = Infinity;
    let right = -Infinity;
    for (let i = 0; i < n; i++) {
      const ax = points[i * 2]!;
      const ay = points[i * 2 + 1]!;
      const bx = points[((i + 1) % n) * 2]!;
      const by = points[((i + 1) % n) * 2 + 1]!;
      if ((ay <= y && by > y) || (by <= y && ay > y)) {
        const x = ax + ((y - ay) / (by - ay)) * (bx - ax);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
    const from = Math.ceil(left - 0.5);
    const to = Math.floor(right - 0.5);
    if (to >= from) span(row, from, to);
  }
}
