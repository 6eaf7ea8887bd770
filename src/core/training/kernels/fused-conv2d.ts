import * as tf from '@tensorflow/tfjs-core';
import { columns, weightsOutweigh } from './conv-columns';
import { convGeometry, input, runWasmKernel, transposed, wasmArgs } from './wasm-util';

/**
 * Filters this kernel has run with before. XNNPACK keeps a filter's packing while the filter lives, so
 * one used again (evaluation, prediction) is best left to wasm's kernel, which packs it once; in training
 * each step brings new weights, seen once.
 */
const seen = new WeakSet<object>();

/**
 * wasm's FusedConv2D, which packs the filter at every new one, with the plain convolutions whose weights
 * outnumber their activations taken over as the product y^T = W^T x cols^T (see conv-columns.ts).
 */
export function fusedConv2DConfig(wasmFusedConv2D: tf.KernelConfig): tf.KernelConfig {
  const fusedConv2D = (params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo => {
    const args = wasmArgs(params);
    const { backend } = args;
    const attrs = args.attrs as unknown as tf.FusedConv2DAttrs;
    const x = input(args, 'x');
    const filter = input(args, 'filter');
    const plain =
      attrs.activation === 'linear' &&
      args.inputs.bias === undefined &&
      args.inputs.preluActivationWeights === undefined &&
      attrs.dataFormat === 'NHWC' &&
      [attrs.dilations].flat().every((d) => d === 1);
    const again = seen.has(filter.dataId);
    seen.add(filter.dataId);
    if (!plain || again) return wasmFusedConv2D.kernelFunc(params) as tf.TensorInfo;
    const info = convGeometry('FusedConv2D', x.shape, filter.shape, attrs);
    if (!weightsOutweigh(info)) return wasmFusedConv2D.kernelFunc(params) as tf.TensorInfo;

    const { batchSize, outHeight, outWidth, outChannels, filterHeight, filterWidth, inChannels } = info;
    const rowLength = filterHeight * filterWidth * inChannels;
    const pixels = batchSize * outHeight * outWidth;
    const cols = columns(backend, x, info);
    const wt = transposed(backend, filter, rowLength, outChannels);
    const yt = runWasmKernel('BatchMatMul', backend, { a: { ...wt, shape: [1, outChannels, rowLength] }, b: cols }, { transposeA: false, transposeB: true });
    backend.disposeData(cols.dataId);
    backend.disposeData(wt.dataId);
    const y = transposed(backend, yt, outChannels, pixels);
    backend.disposeData(yt.dataId);
    return { ...y, shape: info.outShape };
  };
  return { ...wasmFusedConv2D, kernelFunc: fusedConv2D };
}
