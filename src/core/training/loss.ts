import * as tf from '@tensorflow/tfjs-core';

/** Clipped like Keras's categorical cross-entropy, so a confident wrong answer costs a finite loss. */
const EPSILON = 1e-7;

/** Each example's categorical cross-entropy. */
export function crossEntropy(truth: tf.Tensor2D, probabilities: tf.Tensor2D): tf.Tensor1D {
  return tf.neg(tf.sum(tf.mul(truth, tf.log(tf.clipByValue(probabilities, EPSILON, 1 - EPSILON))), -1)) as tf.Tensor1D;
}
