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
