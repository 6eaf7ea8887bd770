// ReLU's gradient, dy times the step of its input x (1 where x > 0, NaN where x is NaN, else 0): one
// kernel on wasm where tfjs's takes three (Step, a Cast that copies, Multiply), 49 a ResNet-50 step.

import * as tf from '@tensorflow/tfjs-core';
import { pointwiseGradient } from './pointwise-gradient';

export const RELU_GRAD = 'MaskbenchReluGrad';

export const reluGrad = pointwiseGradient({
  kernelName: RELU_GRAD,
  forward: tf.Relu,
  saves: 'x',
  loop: (loops) => loops.reluGrad,
  ops: (dy, x) => tf.mul(dy, tf.cast(tf.step(x), 'float32')),
});
