import * as tf from '@tensorflow/tfjs-core';
import { input, wasmArgs } from './wasm-util';

/**
 * Identity, which gradients use by the hundred per training step. wasm's kernel copies the data; as
 * tensors are immutable, this shares it and counts one more reference, as wasm's Reshape and the cpu
 * backend's Identity already do.
 */
function identity(params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const args = wasmArgs(params);
  const x = input(args, 'x');
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: identity,
};
