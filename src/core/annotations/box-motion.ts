// Where a steadily moving box will be, or was: a straight line fitted (least squares) to each side of a
// few of its boxes. A fit over several boxes shrugs off one detection's jitter, which a velocity taken
// from the last two boxes passes on, and which swapped people where two tracks crossed.

import type { BoxGeometry } from '../../shared/annotations';

/** How many boxes at a track's end its motion is fitted to. */
export const MOTION_BOXES = 20;

const SIDES = ['xtl', 'ytl', 'xbr', 'ybr'] as const;

export interface Motion {
  /** The box in a frame, on the straight line fitted to each side. */
  at(frame: number): BoxGeometry;
  /** How far each side moves a frame. */
  velocity: BoxGeometry;
}

/** The straight-line motion fitted to `boxes` (one box: it stands still). */
export function fitMotion(boxes: ReadonlyArray<BoxGeometry & { frame: number }>): Motion {
  const meanFrame = boxes.reduce((sum, box) => sum + box.frame, 0) / boxes.length;
  const spread = boxes.reduce((sum, box) => sum + (box.frame - meanFrame) ** 2, 0);
  const mean = { xtl: 0, ytl: 0, xbr: 0, ybr: 0 };
  const velocity = { xtl: 0, ytl: 0, xbr: 0, ybr: 0 };
  for (const side of SIDES) {
    mean[side] = boxes.reduce((sum, box) => sum + box[side], 0) / boxes.length;
    velocity[side] = spread === 0 ? 0 : boxes.reduce((sum, box) => sum + (box.frame - meanFrame) * (box[side] - mean[side]), 0) / spread;
  }
  return { at: (frame) => moved(mean, velocity, frame - meanFrame), velocity };
}

/**
 * Where a track goes next: its last box moved on by the velocity fitted to its last boxes. A velocity
 * measured over a single frame carries the whole jitter of two detections, so it counts half.
 */
export function predictedBox(boxes: ReadonlyArray<BoxGeometry & { frame: number }>, frame: number): BoxGeometry {
  const last = boxes.at(-1)!;
  const fitted = boxes.slice(-MOTION_BOXES);
  const trust = Math.min(1, (last.frame - fitted[0]!.frame) / 2);
  return moved(last, fitMotion(fitted).velocity, (frame - last.frame) * trust);
}

function moved(box: BoxGeometry, velocity: BoxGeometry, frames: number): BoxGeometry {
  return {
    xtl: box.xtl + velocity.xtl * frames,
    ytl: box.ytl + velocity.ytl * frames,
    xbr: box.xbr + velocity.xbr * frames,
    ybr: box.ybr + velocity.ybr * frames,
  };
}
