import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { convGeometry, heapView, input, paddedConv2D, runWasmKernel, wasmArgs } from './wasm-util';

/**
 * The input gradient of a 2-D convolution. wasm's own kernel is a plain loop; here the work goes to
 * XNNPACK. At stride 1 it is the forward convolution of dy with the filter turned half a turn and its
 * channel axes swapped. At other strides: the product cols[M, K] = dy[M, co] x W^T[co, K], then each
 * row of cols is added back at the input pixels it came from.
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
  return info.strideHeight === 1 && info.strideWidth === 1 && pads.every((p) => p >= 0)
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

function byProduct(backend: BackendWasm, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const pixels = batchSize * outHeight * outWidth;
  const rowLength = filterHeight * filterWidth * inChannels;
  // W is [K, co] in memory; the product wants it as [co, K].
  const transposed = backend.makeOutput([1, outChannels, rowLength], 'float32');
  const w = heapView(backend, filter);
  const wt = heapView(backend, transposed);
  for (let k = 0; k < rowLength; k++) for (let co = 0; co < outChannels; co++) wt[co * rowLength + k] = w[k * outChannels + co]!;
  const cols = runWasmKernel(
    'BatchMatMul',
    backend,
    { a: { ...dy, shape: [1, pixels, outChannels] }, b: transposed },
    { transposeA: false, transposeB: false },
  );
  backend.disposeData(transposed.dataId);

  const dx = backend.makeOutput(info.inShape, 'float32');
  const out = heapView(backend, dx);
  const c = heapView(backend, cols);
  out.fill(0);
  let p = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++, p++) {
        for (let fy = 0; fy < filterHeight; fy++) {
          const iy = oy * strideHeight + fy - padInfo.top;
          if (iy < 0 || iy >= inHeight) continue;
          for (let fx = 0; fx < filterWidth; fx++) {
            const ix = ox * strideWidth + fx - padInfo.left;
            if (ix < 0 || ix >= inWidth) continue;
            const to = ((b * inHeight + iy) * inWidth + ix) * inChannels;
            const from = p * rowLength + (fy * filterWidth + fx) * inChannels;
            for (let ci = 0; ci < inChannels; ci++) out[to + ci]! += c[from + ci]!;
          }
        }
      }
    }
  }
  backend.disposeData(cols.dataId);
  return dx;
}

export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput,
};
