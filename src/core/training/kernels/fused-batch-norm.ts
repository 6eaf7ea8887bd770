import * as tf from '@tensorflow/tfjs-core';
import { heapView, input, wasmArgs } from './wasm-util';

/**
 * Batch normalisation with one mean, variance, scale and offset per channel (the last axis), which is
 * what every batch-norm layer asks for: y = (x - mean) * scale / sqrt(variance + epsilon) + offset, with
 * the per-channel factor computed once instead of for every element as wasm's kernel does. Other
 * shapes of the parameters go to wasm's own kernel.
 */
export function fusedBatchNormConfig(wasmBatchNorm: tf.KernelConfig): tf.KernelConfig {
  const batchNorm = (params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo => {
    const args = wasmArgs(params);
    const { backend } = args;
    const x = input(args, 'x');
    const channels = x.shape.at(-1) ?? 1;
    const parameters = [input(args, 'mean'), input(args, 'variance'), args.inputs.scale, args.inputs.offset];
    const perChannel = (p: tf.TensorInfo | undefined) => p === undefined || [1, channels].includes(tf.util.sizeFromShape(p.shape));
    if (x.dtype !== 'float32' || !parameters.every(perChannel)) return wasmBatchNorm.kernelFunc(params) as tf.TensorInfo;

    const { varianceEpsilon } = args.attrs as unknown as tf.FusedBatchNormAttrs;
    const out = backend.makeOutput(x.shape, 'float32');
    const [mean, variance, scale, offset] = parameters.map((p) => (p === undefined ? undefined : heapView(backend, p)));
    const at = (values: Float32Array | undefined, c: number, fallback: number) => (values === undefined ? fallback : values.length === 1 ? values[0]! : values[c]!);
    const shift = new Float64Array(channels);
    const factor = new Float64Array(channels);
    const add = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      shift[c] = at(mean, c, 0);
      factor[c] = at(scale, c, 1) / Math.sqrt(at(variance, c, 0) + varianceEpsilon);
      add[c] = at(offset, c, 0);
    }
    const xs = heapView(backend, x);
    const ys = heapView(backend, out);
    for (let i = 0; i < xs.length; ) for (let c = 0; c < channels; c++, i++) ys[i] = (xs[i]! - shift[c]!) * factor[c]! + add[c]!;
    return out;
  };
  return { ...wasmBatchNorm, kernelFunc: batchNorm };
}
