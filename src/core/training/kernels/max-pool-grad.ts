import * as tf from '@tensorflow/tfjs-core';
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
  const xs = heapView(backend, x);
  const dys = heapView(backend, dy);
  const out = heapView(backend, dx);
  out.fill(0);
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const halving = filterHeight === 2 && filterWidth === 2 && strideHeight === 2 && strideWidth === 2 && padInfo.top === 0 && padInfo.left === 0;
  if (halving) halvingGrad(info, xs, dys, out);
  else anyGrad(info, xs, dys, out);
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

/**
 * 2x2 windows at stride 2 from the top left (VALID, or SAME, which pads only below and to the right):
 * the commonest pooling, with its four taps unrolled. Windows do not overlap, so each dy is stored, not
 * added. A tap past the edge repeats an earlier tap of its window, which, being no larger, never wins.
 */
function halvingGrad(info: tf.backend_util.Conv2DInfo, xs: Float32Array, dys: Float32Array, out: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const row = inWidth * channels;
  for (let b = 0, at = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const down = 2 * oy + 1 < inHeight ? row : 0;
      for (let ox = 0; ox < outWidth; ox++, at += channels) {
        const right = 2 * ox + 1 < inWidth ? channels : 0;
        const t0 = ((b * inHeight + 2 * oy) * inWidth + 2 * ox) * channels;
        const t1 = t0 + right;
        const t2 = t0 + down;
        const t3 = t2 + right;
        for (let c = 0; c < channels; c++) {
          let best = -Infinity;
          let where = -1;
          const v0 = xs[t0 + c]!;
          if (v0 > best) {
            best = v0;
            where = t0 + c;
          }
          const v1 = xs[t1 + c]!;
          if (v1 > best) {
            best = v1;
            where = t1 + c;
          }
          const v2 = xs[t2 + c]!;
          if (v2 > best) {
            best = v2;
            where = t2 + c;
          }
          if (xs[t3 + c]! > best) where = t3 + c;
          if (where >= 0) out[where] = dys[at + c]!;
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
