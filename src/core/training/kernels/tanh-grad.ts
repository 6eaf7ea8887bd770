// tanh's gradient in one kernel on wasm, where tfjs's takes three (Square, Sub, Multiply: each a kernel's
// dispatch and a pass over the activations), 8 of a LeNet-5 step's kernel calls. Gradients are registered
// for every backend at once: elsewhere this computes what tfjs's does, with the same ops.

import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, simdLoops } from './simd-loops';
import { input, wasmArgs } from './wasm-util';

/** A kernel of ours (tfjs has none): inputs `dy` and tanh's output `y`. */
export const TANH_GRAD = 'MaskbenchTanhGrad';

function tanhGradKernel(params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const args = wasmArgs(params);
  const { backend } = args;
  const dy = input(args, 'dy');
  const y = input(args, 'y');
  const count = tf.util.sizeFromShape(dy.shape);
  if (tf.util.sizeFromShape(y.shape) !== count) throw new Error(`tanh's gradient: dy has shape [${dy.shape}], y [${y.shape}].`);
  const dx = backend.makeOutput(dy.shape, 'float32');
  simdLoops(backend).tanhGrad(heapOffset(backend, dy), heapOffset(backend, y), heapOffset(backend, dx), count);
  return dx;
}

export const tanhGradConfig: tf.KernelConfig = { kernelName: TANH_GRAD, backendName: 'wasm', kernelFunc: tanhGradKernel };

/** tfjs's tanh gradient, (1 - y^2) dy: our kernel where the current backend has it, else tfjs's ops. */
export const tanhGradient: tf.GradConfig = {
  kernelName: tf.Tanh,
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [y] = saved as [tf.Tensor];
    const grad = dy as tf.Tensor;
    const ours = tf.getKernel(TANH_GRAD, tf.getBackend()) !== undefined;
    return {
      x: () =>
        ours
          ? (tf.engine().runKernel(TANH_GRAD, { dy: grad, y } as unknown as tf.NamedTensorMap) as tf.Tensor)
          : tf.mul(tf.sub(tf.scalar(1), tf.square(y)), grad),
    };
  },
};
