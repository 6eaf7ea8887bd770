// A gradient that is one value of dy and one of a tensor the forward op saved per value, computed in one
// pass of our SIMD loop on wasm where tfjs's gradient takes several kernels (each a dispatch and a pass
// over the activations). Gradients are registered for every backend at once: elsewhere it is tfjs's own
// ops, and on wasm the loop computes the same float32 operations in the same order, so the same bits.

import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, simdLoops, type SimdLoops } from './simd-loops';
import { input, wasmArgs } from './wasm-util';

export interface PointwiseGradient {
  /** Our kernel's name (tfjs has none): inputs `dy` and `saved`. */
  kernelName: string;
  /** The forward op, and whether its gradient reads the op's input x or its output y. */
  forward: string;
  saves: 'x' | 'y';
  /** The loop, over (dy, saved, dx, count). */
  loop: (loops: SimdLoops) => (dy: number, saved: number, dx: number, count: number) => void;
  /** tfjs's gradient, as its ops compute it. */
  ops: (dy: tf.Tensor, saved: tf.Tensor) => tf.Tensor;
}

/** Our wasm kernel for `spec`, and the gradient of its forward op that runs it where the backend has it. */
export function pointwiseGradient(spec: PointwiseGradient): { kernel: tf.KernelConfig; gradient: tf.GradConfig } {
  const kernelFunc = (params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo => {
    const args = wasmArgs(params);
    const { backend } = args;
    const dy = input(args, 'dy');
    const saved = input(args, 'saved');
    const count = tf.util.sizeFromShape(dy.shape);
    if (tf.util.sizeFromShape(saved.shape) !== count)
      throw new Error(`${spec.forward}'s gradient: dy has shape [${dy.shape}], ${spec.saves} [${saved.shape}].`);
    const dx = backend.makeOutput(dy.shape, 'float32');
    spec.loop(simdLoops(backend))(heapOffset(backend, dy), heapOffset(backend, saved), heapOffset(backend, dx), count);
    return dx;
  };
  const gradient: tf.GradConfig = {
    kernelName: spec.forward,
    ...(spec.saves === 'x' ? { inputsToSave: ['x'] } : { outputsToSave: [true] }),
    gradFunc: (dy, [saved]) => {
      const grad = dy as tf.Tensor;
      const ours = tf.getKernel(spec.kernelName, tf.getBackend()) !== undefined;
      return {
        x: () =>
          ours ? (tf.engine().runKernel(spec.kernelName, { dy: grad, saved: saved! } as unknown as tf.NamedTensorMap) as tf.Tensor) : spec.ops(grad, saved!),
      };
    },
  };
  return { kernel: { kernelName: spec.kernelName, backendName: 'wasm', kernelFunc }, gradient };
}
