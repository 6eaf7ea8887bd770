// Evaluation in inference mode (batch norm uses its moving averages), a chunk of crops at a time: on the
// worker that trains, or shared out over the workers of a data-parallel run (parallel/part-step.ts).

import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { batchTensors, disposeBatch, type Batch, type BatchArrays } from './batch';
import { crossEntropy } from './loss';

/** Crops per forward pass when evaluating: memory, not learning, sets it. */
export const EVAL_BATCH = 128;

/** A chunk evaluated: its summed loss, and each crop's predicted class and that class's probability. */
export interface ChunkFigures {
  loss: number;
  predicted: ArrayLike<number>;
  confidence: ArrayLike<number>;
}

/** Evaluates a chunk of at most EVAL_BATCH crops (their loss weights left out). */
export type EvaluateChunk = (chunk: BatchArrays) => Promise<ChunkFigures>;

/** The chunk's summed loss, each crop's class and that class's probability, as tensors. */
export function chunkTensors(model: LayersModel, batch: Batch): [tf.Scalar, tf.Tensor1D, tf.Tensor1D] {
  return tf.tidy(() => {
    const probabilities = model.apply(batch.x, { training: false }) as tf.Tensor2D;
    return [tf.sum(crossEntropy(batch.y, probabilities)), tf.argMax(probabilities, -1), tf.max(probabilities, -1)];
  });
}

/** Evaluates chunks on this worker alone, reading back with data() (see trainStep). */
export function evaluateHere(model: LayersModel, shape: { size: number; labels: number }): EvaluateChunk {
  return async (chunk) => {
    const batch = batchTensors(chunk, shape.size, shape.labels);
    const tensors = chunkTensors(model, batch);
    disposeBatch(batch);
    const [loss, predicted, confidence] = await Promise.all(tensors.map((tensor) => tensor.data()));
    tf.dispose(tensors);
    return { loss: loss![0]!, predicted: predicted!, confidence: confidence! };
  };
}
