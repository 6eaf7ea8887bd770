// Helpers of the kernel tests, which compare the wasm backend's results with the cpu backend's.

import * as tf from '@tensorflow/tfjs-core';

/** Repeatable values in [-1, 1) (mulberry32), so that both backends see the same numbers. */
export function values(size: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: size }, () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  });
}

export const random = (shape: number[], seed: number) => tf.tensor(values(tf.util.sizeFromShape(shape), seed), shape);

/**
 * The relative error of `actual`: max |actual - expected| / max |expected|. Measured against the largest
 * value rather than element by element, because a gradient element that is a sum of many products can
 * cancel to near zero, where float32 rounding alone makes an element-wise ratio meaningless.
 */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

export const TOLERANCE = 1e-5;

/** A float32 tensor's values as their bits, for results that must match exactly; a NaN as such, whatever its payload (which float hardware chooses). */
export function float32Bits(tensor: tf.Tensor): Array<number | 'NaN'> {
  const values = Float32Array.from(tensor.dataSync());
  return Array.from(new Uint32Array(values.buffer), (word, i) => (Number.isNaN(values[i]) ? 'NaN' : word));
}

/** What `work` gives, and how many times the wasm kernel `name` ran while it did. */
export async function countingWasmKernel<T>(name: string, work: () => T | Promise<T>): Promise<{ result: T; calls: number }> {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`There is no wasm kernel ${name} to count.`);
  let calls = 0;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...kernel, kernelFunc: (args) => (calls++, kernel.kernelFunc(args)) });
  try {
    const result = await work();
    return { result, calls };
  } finally {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(kernel);
  }
}
