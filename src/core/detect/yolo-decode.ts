// Boxes from a YOLO head as exported to TensorFlow.js: candidates, each a centre and a size in the input's
// pixels and class scores (after an objectness score in YOLOv5 and earlier), laid out candidate by
// candidate ([1, candidates, values]) or value by value ([1, values, candidates], as YOLOv8 exports).
// Plain arrays in, boxes out.

import type { Detection, OutputDecoding } from '../../shared/detect';
import type { TilePlace } from './gfl-decode';

export interface YoloOutput {
  values: Float32Array;
  candidates: number;
  /** Values of one candidate lie next to each other ([1, candidates, values]), or a candidate apart. */
  candidateMajor: boolean;
}

/** The values each candidate has: 4 for its box, 1 for objectness if any, and one per class. */
export function valuesPerCandidate(output: Extract<OutputDecoding, { decoding: 'yolo' }>): number {
  return 4 + (output.objectness ? 1 : 0) + output.classes;
}

/** The people scoring at least `threshold` (class score, times objectness where there is one), in the frame's pixels. */
export function decodeYolo(
  { values, candidates, candidateMajor }: YoloOutput,
  output: Extract<OutputDecoding, { decoding: 'yolo' }>,
  threshold: number,
  place: TilePlace,
): Detection[] {
  const depth = valuesPerCandidate(output);
  const at = (candidate: number, value: number) => values[candidateMajor ? candidate * depth + value : value * candidates + candidate]!;
  const first = output.objectness ? 5 : 4;
  const found: Detection[] = [];
  for (let candidate = 0; candidate < candidates; candidate++) {
    const score = at(candidate, first + output.person) * (output.objectness ? at(candidate, 4) : 1);
    if (score < threshold) continue;
    const [cx, cy, w, h] = [0, 1, 2, 3].map((value) => at(candidate, value)) as [number, number, number, number];
    found.push({
      score,
      xtl: (place.x + cx - w / 2) / place.scale,
      ytl: (place.y + cy - h / 2) / place.scale,
      xbr: (place.x + cx + w / 2) / place.scale,
      ybr: (place.y + cy + h / 2) / place.scale,
    });
  }
  return found;
}
