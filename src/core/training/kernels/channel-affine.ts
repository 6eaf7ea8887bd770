import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { affineChannels } from './channel-loops';
import { heapView, runWasmKernel } from './wasm-util';

/** Up to this |mean| / std, the cancellation costs at most 16 of float32's 2^24: about 1e-6. */
const MEAN_IN_DEVIATIONS = 16;

/**
 * Whether y = scale x + shift in float32 is as accurate as the cpu backend's (x - mean) scale + offset:
 * it loses |mean| / std of a channel's relative precision to cancellation, which a channel whose values
 * sit far from zero for their spread (a constant one, say) cannot afford.
 */
export function affineIsExact(mean: ArrayLike<number>, variance: ArrayLike<number>, epsilon: number): boolean {
  for (let c = 0; c < mean.length; c++) if (Math.abs(mean[c]!) > MEAN_IN_DEVIATIONS * Math.sqrt(variance[c]! + epsilon)) return false;
  return true;
}

/**
 * y = scale x + shift with one scale and shift per channel (the last axis), as a 1x1 depthwise convolution
 * with a bias: XNNPACK runs it in SIMD, several times faster than a JavaScript loop, and on every thread
 * of the threaded build. Without `shift`, y = scale x.
 */
export function scaleChannels(backend: BackendWasm, x: tf.TensorInfo, scale: ArrayLike<number>, shift?: ArrayLike<number>): tf.TensorInfo {
  const channels = x.shape.at(-1)!;
  const pixels = tf.util.sizeFromShape(x.shape) / channels;
  const filter = backend.makeOutput([1, 1, channels, 1], 'float32');
  const bias = shift && backend.makeOutput([channels], 'float32');
  heapView(backend, filter).set(scale);
  if (bias) heapView(backend, bias).set(shift);
  const inputs: tf.NamedTensorInfoMap = { x: { ...x, shape: [1, 1, pixels, channels] }, filter };
  if (bias) inputs.bias = bias;
  const y = runWasmKernel('FusedDepthwiseConv2D', backend, inputs, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1, activation: 'linear' });
  backend.disposeData(filter.dataId);
  if (bias) backend.disposeData(bias.dataId);
  return { ...y, shape: x.shape };
}

/** out = p u + q v + r per channel, in float64 until the store: the JavaScript loop, for what is not exact in float32. */
export function affineByLoop(backend: BackendWasm, u: tf.TensorInfo, p: Float64Array, v: tf.TensorInfo, q: Float64Array, r: Float64Array): tf.TensorInfo {
  const out = backend.makeOutput(u.shape, 'float32');
  affineChannels(heapView(backend, out), heapView(backend, u), p, heapView(backend, v), q, r);
  return out;
}
