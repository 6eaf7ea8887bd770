import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, simdLoops } from './simd-loops';
import { heapView, input, wasmArgs } from './wasm-util';

/**
 * The gradient of average pooling: each dy is shared out over its window, divided by the window's full
 * size (padding included), as on the cpu backend. One pass over dy, all channels of a pixel together;
 * wasm's own kernel gathers every input pixel's windows instead, several times slower. 2x2 windows at
 * stride 2, the commonest, run in a SIMD loop: LeNet-5's two took 0.52 ms a step at batch 32 in this
 * loop of JavaScript, 0.07 ms in the SIMD one.
 */
function avgPoolGrad(params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const args = wasmArgs(params);
  const { backend } = args;
  const dy = input(args, 'dy');
  const x = input(args, 'input');
  const { filterSize, strides, pad } = args.attrs as unknown as tf.AvgPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], filterSize, strides, 1, pad);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const share = 1 / (filterHeight * filterWidth);

  const dx = backend.makeOutput(x.shape, 'float32');
  // 2x2 windows at stride 2 that tile the input (LeNet-5's pooling), in a SIMD loop, four channels at a time.
  const tiling =
    filterHeight === 2 &&
    filterWidth === 2 &&
    strideHeight === 2 &&
    strideWidth === 2 &&
    top === 0 &&
    left === 0 &&
    inHeight === 2 * outHeight &&
    inWidth === 2 * outWidth;
  if (tiling && channels >= 4) {
    simdLoops(backend).avgPoolHalvingGrad(heapOffset(backend, dy), heapOffset(backend, dx), batchSize * outHeight, outWidth, channels);
    return dx;
  }
  const dys = heapView(backend, dy);
  const out = heapView(backend, dx);
  out.fill(0);
  for (let b = 0, at = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++, at += channels) {
        for (let fy = 0; fy < filterHeight; fy++) {
          const iy = oy * strideHeight - top + fy;
          if (iy < 0 || iy >= inHeight) continue;
          for (let fx = 0; fx < filterWidth; fx++) {
            const ix = ox * strideWidth - left + fx;
            if (ix < 0 || ix >= inWidth) continue;
            const base = ((b * inHeight + iy) * inWidth + ix) * channels;
            for (let c = 0; c < channels; c++) out[base + c]! += dys[at + c]! * share;
          }
        }
      }
    }
  }
  return dx;
}

export const avgPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.AvgPoolGrad,
  backendName: 'wasm',
  kernelFunc: avgPoolGrad,
};
