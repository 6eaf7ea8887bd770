import * as tf from '@tensorflow/tfjs-core';
import { BatchNormTraining, BatchNormTrainingGrad, type BatchNormTrainingAttrs } from './batch-norm-training-op';
import { affineByLoop, affineIsExact, scaleChannels } from './channel-affine';
import { channelSums } from './channel-loops';
import { heapView, input, runWasmKernel, wasmArgs } from './wasm-util';

/** Sums over the workers of a data-parallel run, or null when this thread trains alone. */
export interface BatchStatistics {
  sum(values: Float64Array): Float64Array;
  members: number;
}

let shared: BatchStatistics | null = null;

/**
 * While `run` runs, the batch's statistics are those of the whole batch that the workers of a
 * data-parallel run share out: each worker's sums go through `statistics` (synchronous), so batch norm
 * trains as it would on one worker given the whole batch.
 */
export function withSharedBatchStatistics<T>(statistics: BatchStatistics, run: () => T): T {
  shared = statistics;
  try {
    return run();
  } finally {
    shared = null;
  }
}

/** The count and per-channel `values` summed over every worker's part of the batch (this worker's own when it trains alone). */
function wholeBatch<T extends Float64Array[]>(count: number, values: [...T]): { count: number; values: T } {
  if (!shared) return { count, values };
  const channels = values[0]!.length;
  const local = new Float64Array(1 + values.length * channels);
  local[0] = count;
  values.forEach((array, i) => local.set(array, 1 + i * channels));
  const total = shared.sum(local);
  return { count: total[0]!, values: values.map((_, i) => total.subarray(1 + i * channels, 1 + (i + 1) * channels)) as T };
}

/** Turns sums of (x - shift) and (x - shift)² over `count` values into sums of x and x². */
function unshift({ sums, products }: { sums: Float64Array; products: Float64Array }, shift: Float64Array, count: number): void {
  for (let c = 0; c < shift.length; c++) {
    products[c] = products[c]! + shift[c]! * (2 * sums[c]! + count * shift[c]!);
    sums[c] = sums[c]! + count * shift[c]!;
  }
}

/** What both passes start from: the inputs, the epsilon, the channels and the values per channel, and two per-channel outputs. */
function perChannel(params: Parameters<tf.KernelFunc>[0]) {
  const args = wasmArgs(params);
  const { backend } = args;
  const x = input(args, 'x');
  const { varianceEpsilon } = args.attrs as unknown as BatchNormTrainingAttrs;
  const channels = x.shape.at(-1)!;
  const count = tf.util.sizeFromShape(x.shape) / channels;
  const outputs = [backend.makeOutput([channels], 'float32'), backend.makeOutput([channels], 'float32')] as const;
  return { args, backend, x, varianceEpsilon, channels, count, outputs };
}

/**
 * The forward pass: per-channel mean and biased variance of x (from sums shifted by each channel's first
 * value), then y = (x - mean) * gamma / sqrt(variance + epsilon) + beta as factor x + add. Two passes
 * over x in all, the second on every thread where float32 keeps it exact.
 */
function batchNormTraining(params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const { args, backend, x, varianceEpsilon, channels, count: partCount, outputs } = perChannel(params);
  const [meanOut, varianceOut] = outputs;
  const first = Float64Array.from(heapView(backend, x).subarray(0, channels));
  const part = channelSums(backend, x, first, x, first);
  // Views taken after channelSums, whose scratch memory may grow the heap.
  const gamma = heapView(backend, input(args, 'gamma'));
  const beta = heapView(backend, input(args, 'beta'));
  const mean = heapView(backend, meanOut);
  const variance = heapView(backend, varianceOut);
  // Workers shift by their own first values, so to add up their sums are shifted back to zero. In float64,
  // the variance still has 16 digits less log10(mean² / variance): many more than float32's 7.
  const shift = shared ? new Float64Array(channels) : first;
  if (shared) unshift(part, first, partCount);
  const {
    count,
    values: [sums, products],
  } = wholeBatch(partCount, [part.sums, part.products]);
  const factor = new Float64Array(channels);
  const add = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    mean[c] = shift[c]! + sums[c]! / count;
    variance[c] = Math.max(0, (products[c]! - (sums[c]! * sums[c]!) / count) / count);
    factor[c] = gamma[c]! / Math.sqrt(variance[c]! + varianceEpsilon);
    add[c] = beta[c]! - factor[c]! * mean[c]!;
  }
  // By loop, y = 0 x + factor x + add: its first term unused.
  const exact = affineIsExact(mean, variance, varianceEpsilon);
  const y = exact ? scaleChannels(backend, x, factor, add) : affineByLoop(backend, x, new Float64Array(channels), x, factor, add);
  return [y, meanOut, varianceOut];
}

/**
 * The backward pass, with r = 1 / sqrt(variance + epsilon) and N values per channel:
 * dBeta = sum(dy), dGamma = r sum(dy (x - mean)), and
 * dx = gamma r dy - gamma r / N (dBeta + r dGamma (x - mean)) + dMean / N + 2 dVariance (x - mean) / N,
 * which is a dy + b x + c per channel: one pass for the sums, one for dx (or, on every thread where
 * float32 keeps it exact, a dy + c and b x and their sum).
 */
function batchNormTrainingGrad(params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const { args, backend, x, varianceEpsilon, channels, count: partCount, outputs } = perChannel(params);
  const [dGammaOut, dBetaOut] = outputs;
  const centre = Float64Array.from(heapView(backend, input(args, 'mean')));
  const part = channelSums(backend, input(args, 'dy'), new Float64Array(channels), x, centre);
  // Views taken after channelSums, whose scratch memory may grow the heap.
  const [gamma, mean, variance, dMean, dVariance] = ['gamma', 'mean', 'variance', 'dMean', 'dVariance'].map((name) => heapView(backend, input(args, name))) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const dGamma = heapView(backend, dGammaOut);
  const dBeta = heapView(backend, dBetaOut);
  // dx depends on the whole batch (its mean and variance are the whole batch's); the gradients of gamma
  // and beta are this part's, which the workers sum with the other gradients.
  const {
    count,
    values: [sums, products, dMeans, dVariances],
  } = wholeBatch(partCount, [part.sums, part.products, Float64Array.from(dMean), Float64Array.from(dVariance)]);
  const a = new Float64Array(channels);
  const b = new Float64Array(channels);
  const c0 = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const r = 1 / Math.sqrt(variance[c]! + varianceEpsilon);
    const k = (gamma[c]! * r) / count;
    dBeta[c] = part.sums[c]!;
    dGamma[c] = r * part.products[c]!;
    a[c] = gamma[c]! * r;
    b[c] = -k * r * r * products[c]! + (2 * dVariances[c]!) / count;
    c0[c] = -k * sums[c]! + dMeans[c]! / count - b[c]! * centre[c]!;
  }
  const dy = input(args, 'dy');
  if (!affineIsExact(mean, variance, varianceEpsilon)) return [affineByLoop(backend, dy, a, x, b, c0), dGammaOut, dBetaOut];
  const ady = scaleChannels(backend, dy, a, c0);
  const bx = scaleChannels(backend, x, b);
  const dx = runWasmKernel('Add', backend, { a: ady, b: bx });
  backend.disposeData(ady.dataId);
  backend.disposeData(bx.dataId);
  return [dx, dGammaOut, dBetaOut];
}

export const batchNormTrainingConfig: tf.KernelConfig = {
  kernelName: BatchNormTraining,
  backendName: 'wasm',
  kernelFunc: batchNormTraining,
};

export const batchNormTrainingGradConfig: tf.KernelConfig = {
  kernelName: BatchNormTrainingGrad,
  backendName: 'wasm',
  kernelFunc: batchNormTrainingGrad,
};
