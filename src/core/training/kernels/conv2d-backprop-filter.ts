import * as tf from '@tensorflow/tfjs-core';
import { convGeometry, heapView, input, runWasmKernel, wasmArgs } from './wasm-util';

/**
 * The filter gradient of a 2-D convolution, which tfjs's wasm backend lacks, as one matrix product run by
 * XNNPACK (wasm's BatchMatMul without transposes): dW[(fy, fx, c), co] = cols[(fy, fx, c), q] x dy[q, co].
 *
 * Building `cols` (im2col) element by element in JavaScript costs more than the product itself, so the
 * sums are laid out so that every row of `cols` is one contiguous run of memory, copied natively:
 * x is split by stride phase (space-to-batch), transposed to channels first and padded, into planes
 * xq[c, ry, rx][b, j, i] = x[b, j * sy + ry - top, i * sx + rx - left, c]. The filter tap
 * (fy, fx) = (qy * sy + ry, qx * sx + rx) then reads plane (c, ry, rx) shifted by (qy, qx): a window of
 * the flattened plane. dy is laid on the same [b, j, i] grid, with zeros where no output pixel is, so the
 * grid's spare positions (and the rows that a shift wraps into) add nothing.
 */
function conv2DBackpropFilter(params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const args = wasmArgs(params);
  const { backend } = args;
  const x = input(args, 'x');
  const dy = input(args, 'dy');
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = convGeometry('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight: sy, strideWidth: sx } = info;
  const { top, left } = info.padInfo;
  // The largest shift of a tap within its phase, and the grid that holds every output pixel shifted by it.
  const maxShiftY = Math.floor((filterHeight - 1) / sy);
  const maxShiftX = Math.floor((filterWidth - 1) / sx);
  const gridHeight = outHeight + maxShiftY;
  const gridWidth = outWidth + maxShiftX;
  const plane = batchSize * gridHeight * gridWidth;
  // Grid positions a window may start at without leaving its plane; the last output pixel is the last of them.
  const positions = plane - maxShiftY * gridWidth - maxShiftX;
  const taps = filterHeight * filterWidth * inChannels;

  const phases = backend.makeOutput([inChannels * sy * sx * plane], 'float32');
  const cols = backend.makeOutput([1, taps, positions], 'float32');
  const grid = backend.makeOutput([1, positions, outChannels], 'float32');
  const xs = heapView(backend, x);
  const xq = heapView(backend, phases);

  xq.fill(0);
  for (let b = 0, from = 0; b < batchSize; b++) {
    for (let y = 0; y < inHeight; y++) {
      const j = Math.floor((y + top) / sy);
      if (j >= gridHeight) {
        from += inWidth * inChannels;
        continue;
      }
      const ry = (y + top) % sy;
      for (let xx = 0; xx < inWidth; xx++, from += inChannels) {
        const i = Math.floor((xx + left) / sx);
        if (i >= gridWidth) continue;
        const rx = (xx + left) % sx;
        let to = (ry * sx + rx) * plane + (b * gridHeight + j) * gridWidth + i;
        for (let c = 0; c < inChannels; c++, to += sy * sx * plane) xq[to] = xs[from + c]!;
      }
    }
  }

  const out = heapView(backend, cols);
  for (let fy = 0, row = 0; fy < filterHeight; fy++) {
    for (let fx = 0; fx < filterWidth; fx++) {
      const shift = Math.floor(fy / sy) * gridWidth + Math.floor(fx / sx);
      for (let c = 0; c < inChannels; c++, row++) {
        const start = ((c * sy + (fy % sy)) * sx + (fx % sx)) * plane + shift;
        out.set(xq.subarray(start, start + positions), row * positions);
      }
    }
  }

  const dys = heapView(backend, dy);
  const g = heapView(backend, grid);
  g.fill(0);
  const run = outWidth * outChannels;
  for (let b = 0, from = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++, from += run) g.set(dys.subarray(from, from + run), (b * gridHeight + oy) * gridWidth * outChannels);
  }
  backend.disposeData(phases.dataId);

  const dW = runWasmKernel('BatchMatMul', backend, { a: cols, b: grid }, { transposeA: false, transposeB: false });
  backend.disposeData(cols.dataId);
  backend.disposeData(grid.dataId);
  return { ...dW, shape: [filterHeight, filterWidth, inChannels, outChannels] };
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
};
