// Loops over channels-last float32 values with constants per channel (the last axis), for batch norm.
// A block of pixels is done a few channels at a time, so that each channel's constants stay in registers
// (several times faster in V8 than looking them up per element), four channels where there are four
// (about twice as fast again as one: four neighbouring values per pixel, a quarter of the loop overhead).

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { float64Scratch, heapOffset, simdLoops } from './simd-loops';

/** Pixels handled together: few enough to stay in the first-level cache. */
const BLOCK = 256;

/** out = p u + q v + r, in float64 until the store. */
export function affineChannels(out: Float32Array, u: Float32Array, p: Float64Array, v: Float32Array, q: Float64Array, r: Float64Array): void {
  const channels = p.length;
  const block = channels * BLOCK;
  for (let start = 0; start < out.length; start += block) {
    const end = Math.min(out.length, start + block);
    let c = 0;
    for (; c + 4 <= channels; c += 4) {
      const [p0, p1, p2, p3] = [p[c]!, p[c + 1]!, p[c + 2]!, p[c + 3]!];
      const [q0, q1, q2, q3] = [q[c]!, q[c + 1]!, q[c + 2]!, q[c + 3]!];
      const [r0, r1, r2, r3] = [r[c]!, r[c + 1]!, r[c + 2]!, r[c + 3]!];
      for (let i = start + c; i < end; i += channels) {
        out[i] = p0 * u[i]! + q0 * v[i]! + r0;
        out[i + 1] = p1 * u[i + 1]! + q1 * v[i + 1]! + r1;
        out[i + 2] = p2 * u[i + 2]! + q2 * v[i + 2]! + r2;
        out[i + 3] = p3 * u[i + 3]! + q3 * v[i + 3]! + r3;
      }
    }
    for (; c < channels; c++) {
      const [pc, qc, rc] = [p[c]!, q[c]!, r[c]!];
      for (let i = start + c; i < end; i += channels) out[i] = pc * u[i]! + qc * v[i]! + rc;
    }
  }
}

/**
 * Per-channel sums, in float64, of u - su and of (u - su)(v - sv), by our SIMD loop (the same sums in the
 * same order as the JavaScript loop it replaced, which took 9% of a conv-bn step). Shifting by a value
 * near the mean keeps a sum of squares from cancelling away the precision of a variance.
 */
export function channelSums(
  backend: BackendWasm,
  u: tf.TensorInfo,
  su: Float64Array,
  v: tf.TensorInfo,
  sv: Float64Array,
): { sums: Float64Array; products: Float64Array } {
  const channels = su.length;
  // su, sv, then the sums and products, side by side.
  const scratch = float64Scratch(backend, 4 * channels);
  const { at, values } = scratch;
  values.set(su);
  values.set(sv, channels);
  values.fill(0, 2 * channels);
  const bytes = channels * Float64Array.BYTES_PER_ELEMENT;
  simdLoops(backend).channelSums(
    heapOffset(backend, u),
    at,
    heapOffset(backend, v),
    at + bytes,
    at + 2 * bytes,
    at + 3 * bytes,
    tf.util.sizeFromShape(u.shape),
    channels,
  );
  const sums = values.slice(2 * channels, 3 * channels);
  const products = values.slice(3 * channels);
  backend.disposeData(scratch.info.dataId);
  return { sums, products };
}
