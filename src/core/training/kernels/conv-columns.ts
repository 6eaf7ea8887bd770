import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { heapView } from './wasm-util';

// A convolution as one matrix product over its columns (im2col): cols[p, (fy, fx, c)] holds, for each
// output pixel p = (b, oy, ox), the input values its filter window reads. y = cols x W[(fy, fx, c), co].
//
// XNNPACK packs a convolution's filter, and the right-hand side of a product, into its own layout before
// it multiplies, and keeps the packing only while that tensor lives: a 1x1 layer from 2,048 to 512
// channels on 2x2 pictures took 39 ms with new weights and 2 ms with packed ones. In training the weights
// are new at every step, so each convolution and input gradient packed every weight again. Where the
// weights outnumber the activations (ResNet-50's later stages: 2x2 or 4x4 pictures with a million weights
// a layer) it is cheaper to put the weights on the left, where XNNPACK reads them as they are, and let it
// pack the small activations instead: y^T = W^T x cols^T.

/**
 * Whether a convolution's weights outnumber the activations of its product (columns and output) enough
 * that packing the activations instead pays. Measured on ResNet-50's layers at 64 px, batch 8, one
 * thread, with new weights at each call: at 1.6 times and more (its last two stages) the forward took
 * 0.12 to 0.37 of wasm's own time and the input gradient 0.13 to 0.87; at 0.33 the forward 0.62 and the
 * input gradient 1.05; at 0.2 either way by turns; at 0.04 and less, 1.5 to 3 times as long.
 */
export function weightsOutweigh(info: tf.backend_util.Conv2DInfo): boolean {
  const { batchSize, outHeight, outWidth, inChannels, outChannels, filterHeight, filterWidth } = info;
  const rowLength = filterHeight * filterWidth * inChannels;
  const pixels = batchSize * outHeight * outWidth;
  return rowLength * outChannels >= WEIGHTS_OVER_ACTIVATIONS * pixels * (rowLength + outChannels);
}

const WEIGHTS_OVER_ACTIVATIONS = 0.3;

/** The columns of x: [1, pixels, (fy, fx, c)], zeros where the window reads padding. */
export function columns(backend: BackendWasm, x: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { batchSize, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const cols = backend.makeOutput([1, batchSize * outHeight * outWidth, filterHeight * filterWidth * inChannels], 'float32');
  const out = heapView(backend, cols);
  const xs = heapView(backend, x);
  out.fill(0);
  forEachTap(info, (to, from) => out.set(xs.subarray(from, from + inChannels), to));
  return cols;
}

/** The input gradient from the columns' gradient [1, pixels, (fy, fx, c)]: each row added back where it was read. */
export function addColumns(backend: BackendWasm, cols: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const dx = backend.makeOutput(info.inShape, 'float32');
  const out = heapView(backend, dx);
  const c = heapView(backend, cols);
  const channels = info.inChannels;
  out.fill(0);
  forEachTap(info, (from, to) => {
    for (let ci = 0; ci < channels; ci++) out[to + ci]! += c[from + ci]!;
  });
  return dx;
}

/**
 * Calls `visit(column, input)` for every filter tap that reads the input: the offset of its run of
 * channels in the columns and in x, output pixel by output pixel.
 */
function forEachTap(info: tf.backend_util.Conv2DInfo, visit: (column: number, input: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const rowLength = filterHeight * filterWidth * inChannels;
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
            visit(p * rowLength + (fy * filterWidth + fx) * inChannels, ((b * inHeight + iy) * inWidth + ix) * inChannels);
          }
        }
      }
    }
  }
}
