import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { addColumns, weightsOutweigh } from './conv-columns';
import { convGeometry, heapView, input, paddedConv2D, runWasmKernel, transposed, wasmArgs } from './wasm-util';

/**
 * The input gradient of a 2-D convolution. wasm's own kernel is a plain loop; here the work goes to
 * XNNPACK. At stride 1 it is the forward convolution of dy with the filter turned half a turn and its
 * channel axes swapped, unless the weights outnumber the activations; then, and at other strides, a
 * matrix product (byProduct).
 */
function conv2DBackpropInput(params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const args = wasmArgs(params);
  const dy = input(args, 'dy');
  const filter = input(args, 'filter');
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = convGeometry('Conv2DBackpropInput', attrs.inputShape, filter.shape, attrs);
  const { padInfo, filterHeight, filterWidth } = info;
  // The padding that brings the transposed convolution back to the input's size; negative when the
  // forward padding was larger than the filter, which only the general path handles.
  const pads = [filterHeight - 1 - padInfo.top, filterHeight - 1 - padInfo.bottom, filterWidth - 1 - padInfo.left, filterWidth - 1 - padInfo.right] as const;
  return info.strideHeight === 1 && info.strideWidth === 1 && pads.every((p) => p >= 0) && !weightsOutweigh(info)
    ? byConvolution(args.backend, dy, filter, info, pads)
    : byProduct(args.backend, dy, filter, info);
}

function byConvolution(
  backend: BackendWasm,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  pads: readonly [number, number, number, number],
): tf.TensorInfo {
  const { filterHeight, filterWidth, inChannels, outChannels } = info;
  const turned = backend.makeOutput([filterHeight, filterWidth, outChannels, inChannels], 'float32');
  const w = heapView(backend, filter);
  const t = heapView(backend, turned);
  const taps = filterHeight * filterWidth;
  for (let tap = 0; tap < taps; tap++) {
    const from = (taps - 1 - tap) * inChannels * outChannels;
    const to = tap * inChannels * outChannels;
    for (let ci = 0; ci < inChannels; ci++) for (let co = 0; co < outChannels; co++) t[to + co * inChannels + ci] = w[from + ci * outChannels + co]!;
  }
  const dx = paddedConv2D(backend, dy, turned, pads);
  backend.disposeData(turned.dataId);
  return dx;
}

/**
 * The product cols[pixels, K] = dy[pixels, co] x W^T[co, K], each row of cols then added back at the input
 * pixels it came from. XNNPACK packs the product's right-hand side, so where the weights outnumber the
 * activations it computes cols^T = W[K, co] x dy^T instead, and packs dy (see conv-columns.ts).
 */
function byProduct(backend: BackendWasm, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { batchSize, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const pixels = batchSize * outHeight * outWidth;
  const rowLength = filterHeight * filterWidth * inChannels;
  const dy2 = { ...dy, shape: [1, pixels, outChannels] };
  const w = { ...filter, shape: [1, rowLength, outChannels] };
  let cols: tf.TensorInfo;
  if (weightsOutweigh(info)) {
    const colsT = runWasmKernel('BatchMatMul', backend, { a: w, b: dy2 }, { transposeA: false, transposeB: true });
    cols = transposed(backend, colsT, rowLength, pixels);
    backend.disposeData(colsT.dataId);
  } else {
    cols = runWasmKernel('BatchMatMul', backend, { a: dy2, b: w }, { transposeA: false, transposeB: true });
  }
  const dx = addColumns(backend, cols, info);
  backend.disposeData(cols.dataId);
  return dx;
}

export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput,
};
