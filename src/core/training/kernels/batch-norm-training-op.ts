// Batch norm in training mode as one kernel each way, where tf.layers runs tf.moments and then
// tf.batchNorm: some twenty small kernels forward and twice that backward, each a pass over the
// activations. Backend-neutral (tfjs-core only), so models can use it wherever the kernels are
// registered, which registerWasmTrainingKernels does for 'wasm'.

import * as tf from '@tensorflow/tfjs-core';

export const BatchNormTraining = 'BatchNormTraining';
export const BatchNormTrainingGrad = 'BatchNormTrainingGrad';

export interface BatchNormTrainingAttrs {
  varianceEpsilon: number;
}

/** Whether the active backend has the kernels of batchNormTraining. */
export function hasBatchNormTraining(): boolean {
  return tf.getKernel(BatchNormTraining, tf.getBackend()) !== undefined;
}

/**
 * Normalises x over every axis but the last with the batch's own mean and biased variance, then scales
 * by gamma and shifts by beta (one of each per channel): tf.layers' batch norm in training. Returns the
 * mean and variance too, for the moving averages.
 */
export function batchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  varianceEpsilon: number,
): [y: tf.Tensor, mean: tf.Tensor1D, variance: tf.Tensor1D] {
  const attrs: BatchNormTrainingAttrs = { varianceEpsilon };
  return tf.engine().runKernel(BatchNormTraining, { x, gamma, beta }, attrs as unknown as tf.NamedAttrMap) as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
}

/** The gradients of all three outputs, as tfjs would get them through tf.moments and tf.batchNorm, in one kernel. */
export const batchNormTrainingGradient: tf.GradConfig = {
  kernelName: BatchNormTraining,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dMean, dVariance] = dys as tf.Tensor[];
    const [x, gamma, mean, variance] = saved;
    const inputs = { dy: dy!, x: x!, gamma: gamma!, mean: mean!, variance: variance!, dMean: dMean!, dVariance: dVariance! };
    const [dx, dGamma, dBeta] = tf.engine().runKernel(BatchNormTrainingGrad, inputs, attrs) as tf.Tensor[];
    return { x: () => dx!, gamma: () => dGamma!, beta: () => dBeta! };
  },
};
