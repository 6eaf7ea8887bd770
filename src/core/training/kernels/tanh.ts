import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, simdLoops } from './simd-loops';
import { input, wasmArgs } from './wasm-util';

/**
 * tanh, the activation of classic networks such as LeNet. wasm's kernel calls the C library's tanh for
 * every element, five times slower than Eigen's (and MLAS's) rational approximation even in JavaScript,
 * which is accurate to a few float32 ulp; our SIMD loop computes that four values at a time.
 */
function tanh(params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const args = wasmArgs(params);
  const { backend } = args;
  const x = input(args, 'x');
  const out = backend.makeOutput(x.shape, 'float32');
  simdLoops(backend).tanh(heapOffset(backend, x), heapOffset(backend, out), tf.util.sizeFromShape(x.shape));
  return out;
}

export const tanhConfig: tf.KernelConfig = {
  kernelName: tf.Tanh,
  backendName: 'wasm',
  kernelFunc: tanh,
};
