// The people in one frame: the frame scaled (by default so that its height fills the model's input),
// cut into overlapping tiles of the model's size, each tile run through the detector, and the boxes of
// all tiles merged. Scaling a wide frame down to one square input would make people too thin to find.

import * as tf from '@tensorflow/tfjs-core';
import { DETECTOR_FILE, type Detection, type OutputDecoding } from '../../shared/detect';
import { WorkbenchError } from '../../shared/errors';
import { withinFrame } from '../../shared/overlap';
import type { RawFrame } from '../media/decode-frames';
import type { Detector } from './detector';
import { decodeGfl, suppressOverlaps, type StrideOutput, type TilePlace } from './gfl-decode';
import { decodeYolo, valuesPerCandidate, type YoloOutput } from './yolo-decode';

/** The frame's scale when none is asked for: its height fills one tile. */
export function defaultScale(detector: Detector, frameHeight: number): number {
  return detector.description.input.height / frameHeight;
}

/** Tile corners along a side of `size` pixels, `tile` wide: as few as cover it, spread evenly (so they overlap). */
export function tileStarts(size: number, tile: number): number[] {
  if (size <= tile) return [0];
  const count = Math.ceil(size / tile);
  return Array.from({ length: count }, (_, i) => Math.round((i * (size - tile)) / (count - 1)));
}

export function findPeople(detector: Detector, frame: RawFrame, threshold: number, scale: number): Detection[] {
  const { input } = detector.description;
  const width = Math.max(1, Math.round(frame.width * scale));
  const height = Math.max(1, Math.round(frame.height * scale));
  const xs = tileStarts(width, input.width);
  const ys = tileStarts(height, input.height);
  const found: Detection[] = [];
  const pixels = tf.tidy(() => {
    const image = tf.cast(tf.tensor3d(frame.rgb, [frame.height, frame.width, 3], 'int32'), 'float32');
    const sized = tf.image.resizeBilinear(image, [height, width]);
    const ordered = input.channels === 'bgr' ? tf.reverse(sized, -1) : sized;
    const normal = tf.div(tf.sub(ordered, input.mean), input.std);
    // Frames smaller than a tile are padded with zeros (the normalised mean) at the bottom and right.
    return tf.pad(normal, [
      [0, Math.max(0, input.height - height)],
      [0, Math.max(0, input.width - width)],
      [0, 0],
    ]);
  });
  try {
    for (const y of ys)
      for (const x of xs) {
        const outputs = tf.tidy(() => {
          const tile = tf.expandDims(tf.slice(pixels, [y, x, 0], [input.height, input.width, 3]), 0);
          const result = detector.model.execute(input.layout === 'nchw' ? tf.transpose(tile, [0, 3, 1, 2]) : tile);
          return Array.isArray(result) ? result : [result];
        });
        try {
          found.push(...decodeTile(detector, outputs, threshold, { x, y, scale }));
        } finally {
          tf.dispose(outputs);
        }
      }
  } finally {
    pixels.dispose();
  }
  return suppressOverlaps(found.map((box) => ({ score: box.score, ...withinFrame(box, frame.width, frame.height) })));
}

/** A tile's people, from its outputs as the description says to read them. */
function decodeTile(detector: Detector, outputs: tf.Tensor[], threshold: number, place: TilePlace): Detection[] {
  const { output } = detector.description;
  if (output.decoding === 'gfl') return decodeGfl(strideOutputs(detector, output, outputs), output, threshold, place);
  return decodeYolo(yoloOutput(detector, output, outputs), output, threshold, place);
}

/** Each stride's two outputs, found by their shapes; a description that does not fit the model is said, naming it. */
function strideOutputs(detector: Detector, output: Extract<OutputDecoding, { decoding: 'gfl' }>, outputs: tf.Tensor[]): StrideOutput[] {
  const { input } = detector.description;
  return output.strides.map((stride) => {
    const columns = Math.ceil(input.width / stride);
    const cells = columns * Math.ceil(input.height / stride);
    const find = (depth: number) => outputs.find((tensor) => tensor.shape.length === 3 && tensor.shape[1] === cells && tensor.shape[2] === depth);
    const scores = find(output.classes);
    const distances = find(4 * output.bins);
    if (!scores || !distances)
      throw misfit(
        detector,
        outputs,
        `stride ${stride} needs outputs of shape [1, ${cells}, ${output.classes}] (classes) and [1, ${cells}, ${4 * output.bins}] (4 x bins)`,
      );
    return { stride, columns, scores: scores.dataSync() as Float32Array, distances: distances.dataSync() as Float32Array };
  });
}

/** The one output holding the candidates, either way round. */
function yoloOutput(detector: Detector, output: Extract<OutputDecoding, { decoding: 'yolo' }>, outputs: tf.Tensor[]): YoloOutput {
  const depth = valuesPerCandidate(output);
  const tensor = outputs.find((candidate) => candidate.shape.length === 3 && (candidate.shape[1] === depth || candidate.shape[2] === depth));
  if (!tensor)
    throw misfit(
      detector,
      outputs,
      `"yolo" needs an output of shape [1, candidates, ${depth}] or [1, ${depth}, candidates] (4 + ${output.objectness ? '1 + ' : ''}${output.classes} classes)`,
    );
  const candidateMajor = tensor.shape[2] === depth;
  return { values: tensor.dataSync() as Float32Array, candidates: candidateMajor ? tensor.shape[1]! : tensor.shape[2]!, candidateMajor };
}

/** A description that does not fit the model's outputs, said naming it. */
function misfit(detector: Detector, outputs: tf.Tensor[], needs: string): WorkbenchError {
  const file = `${detector.folder}/${DETECTOR_FILE}`;
  const shapes = outputs.map((tensor) => `[${tensor.shape.join(', ')}]`).join(', ');
  return new WorkbenchError('invalid-request', `${file}: ${needs}, but the model gives ${shapes}`, { file, field: 'output' });
}
