import * as tf from '@tensorflow/tfjs-core';
import { float64Scratch, heapOffset, simdLoops } from './simd-loops';
import { heapView, input, wasmArgs } from './wasm-util';

/** The widest rows the loop sums: 256 of them, its block, must have a 32-bit length in bytes. */
const MAX_WIDTH = 2 ** 22;

/**
 * Sum and Mean over the leading axes, as batch norm and bias gradients take them over [batch, height,
 * width] of NHWC activations. wasm's kernels first transpose the reduced axes to the end, a full copy;
 * this adds the rows of channels into one row of float64 totals (as precise as the cpu backend) with our
 * SIMD loop. Any other reduction goes to wasm's own kernel.
 */
function reduceLeading(wasmKernel: tf.KernelConfig, mean: boolean): tf.KernelConfig {
  const reduce = (params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo => {
    const args = wasmArgs(params);
    const { backend } = args;
    const x = input(args, 'x');
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
    const kept = x.shape.slice(axes.length);
    const width = tf.util.sizeFromShape(kept);
    // An empty tensor has no place in the heap for the loop to read.
    const fits = tf.util.sizeFromShape(x.shape) > 0 && width < MAX_WIDTH;
    if (x.dtype !== 'float32' || !leading || !fits) return wasmKernel.kernelFunc(params) as tf.TensorInfo;

    const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
    const out = backend.makeOutput(keepDims ? [...axes.map(() => 1), ...kept] : kept, 'float32');
    const totals = float64Scratch(backend, width);
    totals.values.fill(0);
    simdLoops(backend).columnSums(heapOffset(backend, x), totals.at, rows, width);
    const result = heapView(backend, out);
    for (let j = 0; j < width; j++) result[j] = mean ? totals.values[j]! / rows : totals.values[j]!;
    backend.disposeData(totals.info.dataId);
    return out;
  };
  return { ...wasmKernel, kernelFunc: reduce };
}

export const sumConfig = (wasmSum: tf.KernelConfig) => reduceLeading(wasmSum, false);
export const meanConfig = (wasmMean: tf.KernelConfig) => reduceLeading(wasmMean, true);
