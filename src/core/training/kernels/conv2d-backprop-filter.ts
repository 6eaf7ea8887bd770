import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, simdLoops } from './simd-loops';
import { convGeometry, heapView, input, paddedConv2D, runWasmKernel, wasmArgs } from './wasm-util';

/**
 * The filter gradient of a 2-D convolution, which tfjs's wasm backend lacks, by one of two ways that both
 * hand the arithmetic to XNNPACK: `byProduct` in general, `byConvolution` where much of the product's
 * grid would be padding (small pictures, large filters: LeNet-5's layers, ResNet-50's last stages).
 */
function conv2DBackpropFilter(params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const args = wasmArgs(params);
  const x = input(args, 'x');
  const dy = input(args, 'dy');
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = convGeometry('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs);
  return filterGradientWay(info) === 'convolution' ? byConvolution(args.backend, x, dy, info) : byProduct(args.backend, x, dy, info);
}

/**
 * The way that was clearly faster here, measured on this project's models. The product pays for every
 * position of its grid (the output widened by the filter's reach, see byProduct) and copies a row of it
 * per filter tap; the convolution pays only for real output pixels, but with the batch as its innermost
 * sum, so it needs a batch of a few crops. With 5x5 filters and a grid 31% and 96% larger than the
 * output (LeNet-5), the convolution took 0.45 to 0.78 of the product's time; with 3x3 filters, 0.57 to
 * 0.63 of it where the grid was 2.25 and 4 times the output (ResNet-50 at 4 and 2 px), 0.92 at 1.56
 * times (8 px), and 1.1 to 1.5 times the product's time at 16 px and more.
 */
export function filterGradientWay(info: tf.backend_util.Conv2DInfo): 'convolution' | 'product' {
  const { batchSize, outHeight, outWidth, filterHeight, filterWidth, strideHeight: sy, strideWidth: sx } = info;
  if (batchSize < 4 || convolutionPads(info).some((p) => p < 0)) return 'product';
  const grid = (outHeight + Math.floor((filterHeight - 1) / sy)) * (outWidth + Math.floor((filterWidth - 1) / sx));
  const enough = filterHeight * filterWidth >= 25 ? 1.3 : 2;
  return grid >= enough * outHeight * outWidth ? 'convolution' : 'product';
}

/**
 * The padding (top, bottom, left, right) of x that makes the convolution of byConvolution come out at
 * the filter's size; a negative one means rows or columns the forward pass never read.
 */
function convolutionPads(info: tf.backend_util.Conv2DInfo): [number, number, number, number] {
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const bottom = filterHeight + (outHeight - 1) * strideHeight - inHeight - padInfo.top;
  const right = filterWidth + (outWidth - 1) * strideWidth - inWidth - padInfo.left;
  return [padInfo.top, bottom, padInfo.left, right];
}

/**
 * dW[fy, fx, c, co] = sum over b, oy, ox of x[b, oy * s + fy, ox * s + fx, c] * dy[b, oy, ox, co] is
 * itself a convolution, with the batch and channel axes of x swapped (c pictures of b channels) and dy as
 * its filter ([oy, ox, b, co], dilated by the stride): wasm's Conv2D computes it as [c, fy, fx, co].
 */
function byConvolution(backend: BackendWasm, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const pictures = runWasmKernel('Transpose', backend, { x }, { perm: [3, 1, 2, 0] });
  const filter = runWasmKernel('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
  const byChannel = paddedConv2D(backend, pictures, filter, convolutionPads(info), [info.strideHeight, info.strideWidth]);
  backend.disposeData(pictures.dataId);
  backend.disposeData(filter.dataId);
  const dW = runWasmKernel('Transpose', backend, { x: byChannel }, { perm: [1, 2, 0, 3] });
  backend.disposeData(byChannel.dataId);
  return dW;
}

/**
 * The filter gradient as one matrix product run by XNNPACK (wasm's BatchMatMul without transposes):
 * dW[(fy, fx, c), co] = cols[(fy, fx, c), q] x dy[q, co].
 *
 * Building `cols` (im2col) element by element in JavaScript costs more than the product itself, so the
 * sums are laid out so that every row of `cols` is one contiguous run of memory, copied natively:
 * x is split by stride phase (space-to-batch), transposed to channels first and padded, into planes
 * xq[c, ry, rx][b, j, i] = x[b, j * sy + ry - top, i * sx + rx - left, c]. The filter tap
 * (fy, fx) = (qy * sy + ry, qx * sx + rx) then reads plane (c, ry, rx) shifted by (qy, qx): a window of
 * the flattened plane. dy is laid on the same [b, j, i] grid, with zeros where no output pixel is, so the
 * grid's spare positions (and the rows that a shift wraps into) add nothing.
 */
function byProduct(backend: BackendWasm, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
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
  // Each row of x's pixels of one stride phase goes to its place in the planes, channels first: a transpose.
  heapView(backend, phases).fill(0);
  const { transpose } = simdLoops(backend);
  const [xAt, xqAt] = [heapOffset(backend, x), heapOffset(backend, phases)];
  const pixelBytes = 4 * inChannels;
  for (let b = 0; b < batchSize; b++) {
    for (let y = 0; y < inHeight; y++) {
      const j = Math.floor((y + top) / sy);
      if (j >= gridHeight) continue;
      const ry = (y + top) % sy;
      for (let rx = 0; rx < sx; rx++) {
        // The first pixel of the row in phase rx, its column in the grid, and how many follow sx apart.
        const first = (((rx - left) % sx) + sx) % sx;
        const i = (first + left - rx) / sx;
        const count = Math.min(Math.ceil((inWidth - first) / sx), gridWidth - i);
        if (count <= 0) continue;
        const from = xAt + ((b * inHeight + y) * inWidth + first) * pixelBytes;
        const to = xqAt + 4 * ((ry * sx + rx) * plane + (b * gridHeight + j) * gridWidth + i);
        transpose(from, to, count, inChannels, sx * pixelBytes, 4 * sy * sx * plane);
      }
    }
  }

  const xq = heapView(backend, phases);
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
