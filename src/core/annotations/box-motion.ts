// Where a steadily moving box will be, or was: a straight line fitted (least squares) to each side of a
// few of its boxes. A fit over several boxes shrugs off one detection's jitter, which a velocity taken
// from the last two boxes passes on, and which swapped people where two tracks crossed.

import type { BoxGeometry } from '../../shared/annotations';

/** How many boxes at a track's end its motion is fitted to. */
export const MOTION_BOXES = 20;

export interface Motion {
  /** The box in a frame, on the straight line fitted to each side. */
  at(frame: number): BoxGeometry;
  /** How far each side moves a frame. */
  velocity: BoxGeometry;
}

/**
 * The straight-line motion fitted to `boxes` from index `from` on (one box: it stands still). One pass,
 * with no array made: linking asks it of every open track on every frame.
 */
export function fitMotion(boxes: ReadonlyArray<BoxGeometry & { frame: number }>, from = 0): Motion {
  const n = boxes.length - from;
  // Frames counted from the first box's, so the sums stay small however long the clip.
  const origin = boxes[from]!.frame;
  let f = 0;
  let ff = 0;
  const sum = { xtl: 0, ytl: 0, xbr: 0, ybr: 0 };
  const product = { xtl: 0, ytl: 0, xbr: 0, ybr: 0 };
  for (let i = from; i < boxes.length; i++) {
    const box = boxes[i]!;
    const at = box.frame - origin;
    f += at;
    ff += at * at;
    sum.xtl += box.xtl;
    sum.ytl += box.ytl;
    sum.xbr += box.xbr;
    sum.ybr += box.ybr;
    product.xtl += at * box.xtl;
    product.ytl += at * box.ytl;
    product.xbr += at * box.xbr;
    product.ybr += at * box.ybr;
  }
  const spread = ff - (f * f) / n;
  // A side's slope: its covariance with the frame over the frames' spread.
  const slope = (side: keyof BoxGeometry) => (spread === 0 ? 0 : (product[side] - (f * sum[side]) / n) / spread);
  const velocity = { xtl: slope('xtl'), ytl: slope('ytl'), xbr: slope('xbr'), ybr: slope('ybr') };
  const mean = { xtl: sum.xtl / n, ytl: sum.ytl / n, xbr: sum.xbr / n, ybr: sum.ybr / n };
  const meanFrame = origin + f / n;
  return { at: (frame) => moved(mean, velocity, frame - meanFrame), velocity };
}

/**
 * Where a track goes next: its last box moved on by the velocity fitted to its last boxes. A velocity
 * measured over a single frame carries the whole jitter of two detections, so it counts half.
 */
export function predictedBox(boxes: ReadonlyArray<BoxGeometry & { frame: number }>, frame: number): BoxGeometry {
  const last = boxes.at(-1)!;
  const from = Math.max(0, boxes.length - MOTION_BOXES);
  const trust = Math.min(1, (last.frame - boxes[from]!.frame) / 2);
  return moved(last, fitMotion(boxes, from).velocity, (frame - last.frame) * trust);
}

function moved(box: BoxGeometry, velocity: BoxGeometry, frames: number): BoxGeometry {
  return {
    xtl: box.xtl + velocity.xtl * frames,
    ytl: box.ytl + velocity.ytl * frames,
    xbr: box.xbr + velocity.xbr * frames,
    ybr: box.ybr + velocity.ybr * frames,
  };
}
