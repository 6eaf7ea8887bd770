import * as tf from '@tensorflow/tfjs-core';
import { heapView, input, wasmArgs } from './wasm-util';

/**
 * tanh, the activation of classic networks such as LeNet. wasm's kernel calls the C library's tanh for
 * every element, five times slower than this rational approximation (Eigen's and MLAS's, accurate to a
 * few float32 ulp; beyond +-9 tanh is +-1 in float32, and below 0.0004 it is x).
 */
function tanh(params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const args = wasmArgs(params);
  const { backend } = args;
  const x = input(args, 'x');
  const out = backend.makeOutput(x.shape, 'float32');
  const xs = heapView(backend, x);
  const ys = heapView(backend, out);
  for (let i = 0; i < xs.length; i++) {
    const v = Math.min(9, Math.max(-9, xs[i]!));
    if (Math.abs(v) < 4e-4) {
      ys[i] = v;
      continue;
    }
    const v2 = v * v;
    const p =
      v *
      (4.89352455891786e-3 +
        v2 *
          (6.37261928875436e-4 +
            v2 * (1.48572235717979e-5 + v2 * (5.12229709037114e-8 + v2 * (-8.60467152213735e-11 + v2 * (2.00018790482477e-13 + v2 * -2.76076847742355e-16))))));
    const q = 4.89352518554385e-3 + v2 * (2.268434632439e-3 + v2 * (1.18534705686654e-4 + v2 * 1.19825839466702e-6));
    ys[i] = p / q;
  }
  return out;
}

export const tanhConfig: tf.KernelConfig = {
  kernelName: tf.Tanh,
  backendName: 'wasm',
  kernelFunc: tanh,
};
