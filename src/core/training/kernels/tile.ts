import * as tf from '@tensorflow/tfjs-core';
import { heapBits, input, wasmArgs } from './wasm-util';

/**
 * Tile, which the batch-norm gradient uses to spread one value per channel over a whole activation.
 * wasm's own kernel computes a source index for every element; here x is copied once and then each
 * block is repeated by native copies that double in length.
 */
function tile(params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const args = wasmArgs(params);
  const { backend } = args;
  const x = input(args, 'x');
  const { reps } = args.attrs as unknown as tf.TileAttrs;
  const out = backend.makeOutput(
    x.shape.map((size, axis) => size * reps[axis]!),
    x.dtype,
  );
  if (tf.util.sizeFromShape(out.shape) === 0) return out;
  const [shape, times] = mergeAxes(x.shape, reps);
  const from = heapBits(backend, x);
  const to = heapBits(backend, out);
  // Elements in one copy of the block below each axis, in x and in the output.
  const xBlock = shape.map((_, axis) => tf.util.sizeFromShape(shape.slice(axis + 1)));
  const outBlock = shape.map((_, axis) => tf.util.sizeFromShape(shape.slice(axis + 1).map((size, i) => size * times[axis + 1 + i]!)));
  const last = shape.length - 1;

  // Writes x's block at `axis` (from x[xAt], to out[outAt]) and its repeats.
  const write = (axis: number, xAt: number, outAt: number): void => {
    const size = shape[axis]!;
    if (axis === last) {
      for (let r = 0, o = outAt; r < times[axis]!; r++) for (let i = 0; i < size; i++) to[o++] = from[xAt + i]!;
      return;
    }
    for (let i = 0; i < size; i++) write(axis + 1, xAt + i * xBlock[axis]!, outAt + i * outBlock[axis]!);
    const once = size * outBlock[axis]!;
    const total = once * times[axis]!;
    for (let done = once; done < total; done *= 2) to.copyWithin(outAt + done, outAt, outAt + Math.min(done, total - done));
  };
  write(0, 0, 0);
  return out;
}

/**
 * Joins each axis that is not repeated into the axis before it (repeating [a, b] r times along the first
 * axis repeats the whole a*b block), so that the innermost copies are as long as they can be.
 */
function mergeAxes(shape: readonly number[], reps: readonly number[]): [number[], number[]] {
  const sizes = [shape[0] ?? 1];
  const times = [reps[0] ?? 1];
  for (let axis = 1; axis < shape.length; axis++) {
    if (reps[axis] === 1) sizes[sizes.length - 1]! *= shape[axis]!;
    else {
      sizes.push(shape[axis]!);
      times.push(reps[axis]!);
    }
  }
  return [sizes, times];
}

export const tileConfig: tf.KernelConfig = {
  kernelName: tf.Tile,
  backendName: 'wasm',
  kernelFunc: tile,
};
