import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Batch } from './batch';

/** Clipped like Keras's categorical cross-entropy, so a confident wrong answer costs a finite loss. */
const EPSILON = 1e-7;

/** Each example's categorical cross-entropy. */
export function crossEntropy(truth: tf.Tensor2D, probabilities: tf.Tensor2D): tf.Tensor1D {
  return tf.neg(tf.sum(tf.mul(truth, tf.log(tf.clipByValue(probabilities, EPSILON, 1 - EPSILON))), -1)) as tf.Tensor1D;
}

/**
 * A training step's loss on `batch`: each example's cross-entropy, times its class weight where the loss
 * is weighted, summed and divided by `rows` (the batch's own, or the whole batch's where workers share it
 * out, so that their parts add up to its mean). `predicted` is handed the classes the model chose, kept.
 */
export function trainingLoss(model: LayersModel, batch: Batch, rows: number, predicted: (classes: tf.Tensor) => void): tf.Scalar {
  const probabilities = model.apply(batch.x, { training: true }) as tf.Tensor2D;
  predicted(tf.keep(tf.argMax(probabilities, -1)));
  const perExample = crossEntropy(batch.y, probabilities);
  return tf.div(tf.sum(batch.weights ? tf.mul(perExample, batch.weights) : perExample), rows) as tf.Scalar;
}
