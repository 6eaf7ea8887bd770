// tanh's gradient, (1 - y^2) dy from its output y: one kernel on wasm where tfjs's takes three (Square,
// Sub, Multiply), 8 of a LeNet-5 step's kernel calls.

import * as tf from '@tensorflow/tfjs-core';
import { pointwiseGradient } from './pointwise-gradient';

export const TANH_GRAD = 'MaskbenchTanhGrad';

export const tanhGrad = pointwiseGradient({
  kernelName: TANH_GRAD,
  forward: tf.Tanh,
  saves: 'y',
  loop: (loops) => loops.tanhGrad,
  ops: (dy, y) => tf.mul(tf.sub(tf.scalar(1), tf.square(y)), dy),
});
