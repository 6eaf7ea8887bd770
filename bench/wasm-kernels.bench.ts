// The training kernels we supply for tfjs's wasm backend, each against wasm's own kernel (or, for the
// filter gradient that wasm lacks, the cpu backend's; batch norm's training kernels have neither), on the
// shapes of one training step of the conv-bn model (batch 32, 64x64x3) and of LeNet-5 (batch 32,
// 32x32x3). Milliseconds per call, best of five.

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, bench, describe } from 'vitest';
import { registerWasmTrainingKernels } from '../src/core/training/kernels';
import { BatchNormTraining, BatchNormTrainingGrad } from '../src/core/training/kernels/batch-norm-training-op';

interface Call {
  what: string;
  kernel: string;
  inputs: Record<string, number[]>;
  attrs: tf.NamedAttrMap;
}

const conv = (b: number, size: number, inChannels: number, outChannels: number, filter: number, pad: 'same' | 'valid') => {
  const out = pad === 'same' ? size : size - filter + 1;
  const what = `${b}x${size}x${size}x${inChannels} -> ${outChannels}, ${filter}x${filter} ${pad}`;
  return {
    filter: {
      what,
      kernel: tf.Conv2DBackpropFilter,
      inputs: { x: [b, size, size, inChannels], dy: [b, out, out, outChannels] },
      attrs: { strides: 1, pad, dataFormat: 'NHWC', filterShape: [filter, filter, inChannels, outChannels] },
    },
    input: {
      what,
      kernel: tf.Conv2DBackpropInput,
      inputs: { dy: [b, out, out, outChannels], filter: [filter, filter, inChannels, outChannels] },
      attrs: { strides: 1, pad, dataFormat: 'NHWC', inputShape: [b, size, size, inChannels] },
    },
  };
};
const CONVS = [
  conv(32, 64, 3, 16, 3, 'same'),
  conv(32, 32, 16, 32, 3, 'same'),
  conv(32, 16, 32, 64, 3, 'same'),
  conv(32, 32, 3, 6, 5, 'valid'),
  conv(32, 14, 6, 16, 5, 'valid'),
];
const pool = (kernel: string, shape: number[]) => ({
  what: shape.join('x'),
  kernel,
  inputs: { dy: [shape[0]!, shape[1]! / 2, shape[2]! / 2, shape[3]!], input: shape, output: [shape[0]!, shape[1]! / 2, shape[2]! / 2, shape[3]!] },
  attrs: { filterSize: 2, strides: 2, pad: 'valid' },
});
const matMul = (a: number[], b: number[], transposeA: boolean, transposeB: boolean) => ({
  what: `${a.join('x')}${transposeA ? 'T' : ''} . ${b.join('x')}${transposeB ? 'T' : ''}`,
  kernel: tf.BatchMatMul,
  inputs: { a, b },
  attrs: { transposeA, transposeB },
});
const CALLS: Call[] = [
  ...CONVS.map((c) => c.filter),
  ...CONVS.map((c) => c.input),
  ...[16, 32, 64].map((c, i) => ({
    what: `[${c}] over 32x${64 >> i}x${64 >> i}`,
    kernel: tf.Tile,
    inputs: { x: [1, 1, 1, c] },
    attrs: { reps: [32, 64 >> i, 64 >> i, 1] },
  })),
  pool(tf.MaxPoolGrad, [32, 64, 64, 16]),
  pool(tf.MaxPoolGrad, [32, 32, 32, 32]),
  pool(tf.MaxPoolGrad, [32, 16, 16, 64]),
  pool(tf.AvgPoolGrad, [32, 28, 28, 6]),
  pool(tf.AvgPoolGrad, [32, 10, 10, 16]),
  ...[16, 32, 64].map((c, i) => ({
    what: `32x${64 >> i}x${64 >> i}x${c}`,
    kernel: tf.Sum,
    inputs: { x: [32, 64 >> i, 64 >> i, c] },
    attrs: { axis: [0, 1, 2], keepDims: false },
  })),
  ...[16, 32, 64].map((c, i) => ({
    what: `32x${64 >> i}x${64 >> i}x${c}`,
    kernel: tf.Mean,
    inputs: { x: [32, 64 >> i, 64 >> i, c] },
    attrs: { axis: [0, 1, 2], keepDims: true },
  })),
  ...[16, 32, 64].map((c, i) => ({
    what: `32x${64 >> i}x${64 >> i}x${c}`,
    kernel: tf.FusedBatchNorm,
    inputs: { x: [32, 64 >> i, 64 >> i, c], mean: [c], variance: [c], offset: [c], scale: [c] },
    attrs: { varianceEpsilon: 0.001 },
  })),
  ...[16, 32, 64].map((c, i) => ({
    what: `32x${64 >> i}x${64 >> i}x${c}`,
    kernel: BatchNormTraining,
    inputs: { x: [32, 64 >> i, 64 >> i, c], gamma: [c], beta: [c] },
    attrs: { varianceEpsilon: 1e-5 },
  })),
  ...[16, 32, 64].map((c, i) => ({
    what: `32x${64 >> i}x${64 >> i}x${c}`,
    kernel: BatchNormTrainingGrad,
    inputs: { dy: [32, 64 >> i, 64 >> i, c], x: [32, 64 >> i, 64 >> i, c], gamma: [c], mean: [c], variance: [c], dMean: [c], dVariance: [c] },
    attrs: { varianceEpsilon: 1e-5 },
  })),
  { what: '32x64x64x16', kernel: tf.Identity, inputs: { x: [32, 64, 64, 16] }, attrs: {} },
  { what: '32x28x28x6', kernel: tf.Tanh, inputs: { x: [32, 28, 28, 6] }, attrs: {} },
  { what: '32x10x10x16', kernel: tf.Tanh, inputs: { x: [32, 10, 10, 16] }, attrs: {} },
  matMul([32, 4096], [32, 64], true, false),
  matMul([32, 64], [4096, 64], false, true),
  matMul([32, 400], [32, 120], true, false),
  matMul([32, 120], [400, 120], false, true),
];

await tf.setBackend('wasm');
const wasm = tf.backend() as BackendWasm;
// wasm's own kernels, kept before ours take their place.
const own = new Map(CALLS.map((c) => [c.kernel, tf.getKernel(c.kernel, 'wasm')]));
registerWasmTrainingKernels();
await tf.setBackend('cpu');
const cpu = tf.backend();
await tf.setBackend('wasm');

const REPEATS = 5;
// By call, so that a bench that the runner repeats reports each call once.
const results = new Map<Call, string>();
const once = { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 };

/** Best time of a kernel function over a few calls, on tensors made on `backend` and freed afterwards. */
function time(kernel: tf.KernelConfig | undefined, backend: tf.KernelBackend, call: Call, repeats = REPEATS): number | undefined {
  if (kernel === undefined) return undefined;
  const inputs = Object.fromEntries(
    Object.entries(call.inputs).map(([name, shape]) => {
      const values = Float32Array.from({ length: tf.util.sizeFromShape(shape) }, (_, i) => Math.sin(i * 12.9898) / 2);
      return [name, { dataId: backend.write(values, shape, 'float32'), shape, dtype: 'float32' as const }];
    }),
  );
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const out = kernel.kernelFunc({ inputs, backend, attrs: call.attrs });
    best = Math.min(best, performance.now() - start);
    // Batch norm's kernels give several outputs.
    for (const info of Array.isArray(out) ? out : [out]) backend.disposeData(info.dataId);
  }
  for (const input of Object.values(inputs)) backend.disposeData(input.dataId);
  return best;
}

const ms = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(value < 10 ? 2 : 0));

afterAll(() => {
  console.log(`\nwasm training kernels, ms per call (ours / wasm's own / cpu): ${[...results.values()].join('; ')}`);
});

describe('wasm training kernels', () => {
  for (const kernel of new Set(CALLS.map((c) => c.kernel))) {
    bench(
      kernel,
      () => {
        for (const call of CALLS.filter((c) => c.kernel === kernel && !results.has(c))) {
          const ours = time(tf.getKernel(kernel, 'wasm'), wasm, call);
          const theirs = time(own.get(kernel), wasm, call);
          // The cpu backend stands in where wasm has no kernel: once, as it takes seconds.
          const onCpu = theirs === undefined ? time(tf.getKernel(kernel, 'cpu'), cpu, call, 1) : undefined;
          results.set(call, `${kernel} ${call.what}: ${ms(ours)} / ${ms(theirs)} / ${ms(onCpu)}`);
        }
      },
      once,
    );
  }
});
