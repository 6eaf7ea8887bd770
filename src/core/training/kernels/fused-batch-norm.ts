import * as tf from '@tensorflow/tfjs-core';
import { heapView, input, wasmArgs } from './wasm-util';

/** Pixels handled together, one channel at a time: few enough to stay in the first-level cache. */
const BLOCK = 256;

/**
 * Batch normalisation with one mean, variance, scale and offset per channel (the last axis), which is
 * what batch-norm layers ask for: y = (x - mean) * scale / sqrt(variance + epsilon) + offset. The
 * per-channel factor is computed once, not for every element as in wasm's kernel, and a block of pixels
 * is done channel by channel so that each channel's constants stay in registers (several times faster
 * in V8 than looking them up per element). Other parameter shapes go to wasm's own kernel.
 */
export function fusedBatchNormConfig(wasmBatchNorm: tf.KernelConfig): tf.KernelConfig {
  const batchNorm = (params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo => {
    const args = wasmArgs(params);
    const { backend } = args;
    const x = input(args, 'x');
    const channels = x.shape.at(-1) ?? 1;
    const parameters = [input(args, 'mean'), input(args, 'variance'), args.inputs.scale, args.inputs.offset];
    const perChannel = (p: tf.TensorInfo | undefined) => p === undefined || [1, channels].includes(tf.util.sizeFromShape(p.shape));
    if (x.dtype !== 'float32' || channels === 0 || !parameters.every(perChannel)) return wasmBatchNorm.kernelFunc(params) as tf.TensorInfo;

    const { varianceEpsilon } = args.attrs as unknown as tf.FusedBatchNormAttrs;
    const out = backend.makeOutput(x.shape, 'float32');
    const [mean, variance, scale, offset] = parameters.map((p) => (p === undefined ? undefined : heapView(backend, p)));
    const at = (values: Float32Array | undefined, c: number, absent: number) => (values === undefined ? absent : values[values.length === 1 ? 0 : c]!);
    const xs = heapView(backend, x);
    const ys = heapView(backend, out);
    const block = channels * BLOCK;
    for (let start = 0; start < xs.length; start += block) {
      const end = Math.min(xs.length, start + block);
      for (let c = 0; c < channels; c++) {
        const shift = at(mean, c, 0);
        const factor = at(scale, c, 1) / Math.sqrt(at(variance, c, 0) + varianceEpsilon);
        const add = at(offset, c, 0);
        for (let i = start + c; i < end; i += channels) ys[i] = (xs[i]! - shift) * factor + add;
      }
    }
    return out;
  };
  return { ...wasmBatchNorm, kernelFunc: batchNorm };
}
