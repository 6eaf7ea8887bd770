import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, simdLoops } from './simd-loops';
import { heapView, input, wasmArgs } from './wasm-util';

/**
 * The gradient of max pooling: each dy goes to the first largest input of its window, as on the cpu
 * backend. wasm's own kernel searches every window again for every input pixel; this one scans each
 * window once.
 */
function maxPoolGrad(params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const args = wasmArgs(params);
  const { backend } = args;
  const dy = input(args, 'dy');
  const x = input(args, 'input');
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const dx = backend.makeOutput(x.shape, 'float32');
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  // 2x2 windows at stride 2 from the top left (VALID, or SAME, which pads only below and to the right),
  // the commonest pooling, in a SIMD loop that writes every input a window covers, four channels at a time.
  const halving = filterHeight === 2 && filterWidth === 2 && strideHeight === 2 && strideWidth === 2 && padInfo.top === 0 && padInfo.left === 0;
  const simd = halving && inChannels >= 4;
  if (!simd || 2 * outHeight < inHeight || 2 * outWidth < inWidth) heapView(backend, dx).fill(0);
  if (simd) {
    const at = (info: tf.TensorInfo) => heapOffset(backend, info);
    simdLoops(backend).maxPoolHalvingGrad(at(x), at(dy), at(dx), batchSize, inHeight, inWidth, inChannels, outHeight, outWidth);
  } else anyGrad(info, heapView(backend, x), heapView(backend, dy), heapView(backend, dx));
  return dx;
}

/** Any window, stride and padding. */
function anyGrad(info: tf.backend_util.Conv2DInfo, xs: Float32Array, dys: Float32Array, out: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  // Where in x each tap of the current window starts, for the taps inside the image.
  const taps = new Int32Array(filterHeight * filterWidth);
  for (let b = 0, at = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++, at += channels) {
        let count = 0;
        for (let fy = 0; fy < filterHeight; fy++) {
          const iy = oy * strideHeight - top + fy;
          if (iy < 0 || iy >= inHeight) continue;
          for (let fx = 0; fx < filterWidth; fx++) {
            const ix = ox * strideWidth - left + fx;
            if (ix >= 0 && ix < inWidth) taps[count++] = ((b * inHeight + iy) * inWidth + ix) * channels;
          }
        }
        for (let c = 0; c < channels; c++) {
          let best = -Infinity;
          let where = -1;
          for (let t = 0; t < count; t++) {
            const value = xs[taps[t]! + c]!;
            if (value > best) {
              best = value;
              where = taps[t]! + c;
            }
          }
          if (where >= 0) out[where]! += dys[at + c]!;
        }
      }
    }
  }
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad,
};
