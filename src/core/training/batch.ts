import * as tf from '@tensorflow/tfjs-core';

/** A batch as plain arrays: what one worker trains on, or shares out among the workers of a data-parallel run. */
export interface BatchArrays {
  /** rows x size x size x 3 floats in [0, 1], crop after crop. */
  x: Float32Array;
  classes: Int32Array;
  /** Each example's class weight, or null for an unweighted loss. */
  weights: Float32Array | null;
}

/** A batch as tensors. */
export interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor2D;
  weights: tf.Tensor1D | null;
  classes: Int32Array;
}

/** Frees a batch's tensors. */
export function disposeBatch(batch: Batch): void {
  tf.dispose([batch.x, batch.y, ...(batch.weights ? [batch.weights] : [])]);
}

/** The tensors of a batch of `size` px crops, with one-hot labels over `labels` classes. */
export function batchTensors({ x, classes, weights }: BatchArrays, size: number, labels: number): Batch {
  return {
    x: tf.tensor4d(x, [classes.length, size, size, 3]),
    y: tf.tidy(() => tf.oneHot(tf.tensor1d(classes, 'int32'), labels) as tf.Tensor2D),
    weights: weights && tf.tensor1d(weights),
    classes,
  };
}
