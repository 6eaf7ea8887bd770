// Boxes from a NanoDet-style head ("generalized focal loss"): for each stride, a map of class scores and,
// per side of the box, a distribution over distances from the cell's centre. Plain arrays in, boxes out,
// so the arithmetic is tested without a model.

import type { Detection, OutputDecoding } from '../../shared/detect';
import { iou } from '../../shared/overlap';

/** One stride's outputs for one tile, flattened row by row: `scores` is cells x classes, `distances` cells x 4 x bins. */
export interface StrideOutput {
  stride: number;
  columns: number;
  scores: Float32Array;
  distances: Float32Array;
}

/** Where a tile lies in the frame: its corner in the scaled frame, and the frame's scale. */
export interface TilePlace {
  x: number;
  y: number;
  scale: number;
}

/** The people scoring at least `threshold`, in the frame's pixels. */
export function decodeGfl(outputs: StrideOutput[], output: Extract<OutputDecoding, { decoding: 'gfl' }>, threshold: number, place: TilePlace): Detection[] {
  const { classes, bins, person } = output;
  const found: Detection[] = [];
  for (const { stride, columns, scores, distances } of outputs) {
    const cells = scores.length / classes;
    for (let cell = 0; cell < cells; cell++) {
      const score = scores[cell * classes + person]!;
      if (score < threshold) continue;
      const cx = ((cell % columns) + 0.5) * stride;
      const cy = (Math.floor(cell / columns) + 0.5) * stride;
      const side = (index: number) => expectedBin(distances, (cell * 4 + index) * bins, bins) * stride;
      found.push({
        score,
        xtl: (place.x + cx - side(0)) / place.scale,
        ytl: (place.y + cy - side(1)) / place.scale,
        xbr: (place.x + cx + side(2)) / place.scale,
        ybr: (place.y + cy + side(3)) / place.scale,
      });
    }
  }
  return found;
}

/** The mean bin of a softmax over `bins` logits starting at `start`. */
function expectedBin(logits: Float32Array, start: number, bins: number): number {
  let highest = -Infinity;
  for (let b = 0; b < bins; b++) highest = Math.max(highest, logits[start + b]!);
  let total = 0;
  let weighted = 0;
  for (let b = 0; b < bins; b++) {
    const p = Math.exp(logits[start + b]! - highest);
    total += p;
    weighted += p * b;
  }
  return weighted / total;
}

/** The best-scoring detections, dropping each that overlaps a better one by `limit` (IoU) or more. */
export function suppressOverlaps(detections: Detection[], limit = 0.5): Detection[] {
  const kept: Detection[] = [];
  for (const detection of [...detections].sort((a, b) => b.score - a.score)) if (kept.every((other) => iou(other, detection) < limit)) kept.push(detection);
  return kept;
}
