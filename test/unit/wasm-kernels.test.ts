import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/core/training/kernels';
import { weightsOutweigh } from '../../src/core/training/kernels/conv-columns';
import { filterGradientWay } from '../../src/core/training/kernels/conv2d-backprop-filter';
import { heapBits, transposed } from '../../src/core/training/kernels/wasm-util';
import { TOLERANCE, random, relativeError } from './seeded-values';

/** A kernel call: its inputs are made on whichever backend is current, from seeded values. */
interface KernelCase {
  name: string;
  kernel: string;
  inputs: () => Record<string, tf.Tensor>;
  attrs: tf.NamedAttrMap;
}

interface Result {
  shape: number[];
  dtype: tf.DataType;
  values: number[];
}

/** Seeded values of any type; booleans by comparison, since wasm's Cast to bool keeps the raw bytes. */
function numbers(shape: number[], seed: number, dtype: tf.DataType): tf.Tensor {
  if (dtype === 'bool') return tf.greater(random(shape, seed), 0);
  return tf.cast(tf.mul(random(shape, seed), 10), dtype);
}

async function run(backend: 'cpu' | 'wasm', { kernel, inputs, attrs }: KernelCase): Promise<Result> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const out = tf.engine().runKernel(kernel, inputs() as unknown as tf.NamedTensorMap, attrs) as tf.Tensor;
    return { shape: out.shape, dtype: out.dtype, values: Array.from(out.dataSync()) };
  });
}

async function expectSameAsCpu(c: KernelCase): Promise<void> {
  const expected = await run('cpu', c);
  const actual = await run('wasm', c);
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.dtype).toBe(expected.dtype);
  if (expected.dtype === 'float32') expect(relativeError(actual.values, expected.values)).toBeLessThan(TOLERANCE);
  else expect(actual.values).toEqual(expected.values);
}

const wasmBackend = () => tf.findBackend('wasm') as BackendWasm;

beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

// Filter sizes 1-7, strides 1-3 and every kind of padding, on odd sizes, batches 1-8 and 1-64 channels.
const PADS: Array<tf.Conv2DBackpropFilterAttrs['pad']> = [
  'same',
  'valid',
  2,
  [
    [0, 0],
    [1, 2],
    [0, 3],
    [0, 0],
  ],
];
const CHANNELS = [
  [1, 4],
  [3, 16],
  [8, 1],
  [16, 7],
  [2, 64],
  [64, 2],
  [5, 32],
  [32, 12],
] as const;
interface ConvShape {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  filter: number;
  stride: number;
  pad: tf.Conv2DBackpropFilterAttrs['pad'];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}
const convShapes: ConvShape[] = [];
for (const filter of [1, 3, 5, 7]) {
  for (const stride of [1, 2, 3]) {
    for (const pad of PADS) {
      const i = convShapes.length;
      const [inChannels, outChannels] = CHANNELS[i % CHANNELS.length]!;
      // Fewer pixels where there are many channels, to keep the cpu reference quick.
      const small = inChannels * outChannels > 64;
      convShapes.push({
        batch: 1 + ((i * 3) % 8),
        height: filter + (small ? i % 4 : 2 + ((i * 7) % 11)),
        width: filter + (small ? 1 + (i % 3) : 1 + ((i * 5) % 13)),
        inChannels,
        outChannels,
        filter,
        stride,
        pad,
      });
    }
  }
}
// tfjs rounds the output size as asked when a numeric padding does not fit the stride.
for (const dimRoundingMode of ['floor', 'round', 'ceil'] as const) {
  convShapes.push({ batch: 3, height: 10, width: 9, inChannels: 3, outChannels: 5, filter: 3, stride: 2, pad: 1, dimRoundingMode });
  convShapes.push({ batch: 2, height: 11, width: 12, inChannels: 4, outChannels: 6, filter: 4, stride: 3, pad: 2, dimRoundingMode });
}
// The second layer of the conv-bn model, at a smaller batch, and LeNet-5's second layer.
convShapes.push({ batch: 2, height: 32, width: 32, inChannels: 16, outChannels: 32, filter: 3, stride: 1, pad: 'same' });
convShapes.push({ batch: 8, height: 14, width: 14, inChannels: 6, outChannels: 16, filter: 5, stride: 1, pad: 'valid' });
// Layers like ResNet-50's last stages, whose weights outnumber their activations, at stride 1.
convShapes.push({ batch: 2, height: 2, width: 2, inChannels: 48, outChannels: 64, filter: 3, stride: 1, pad: 'same' });
convShapes.push({ batch: 2, height: 4, width: 4, inChannels: 64, outChannels: 96, filter: 1, stride: 1, pad: 'same' });
convShapes.push({ batch: 3, height: 3, width: 4, inChannels: 32, outChannels: 40, filter: 3, stride: 1, pad: 'valid' });

const describeShape = (s: ConvShape) =>
  `${s.batch}x${s.height}x${s.width}x${s.inChannels} -> ${s.outChannels}, ${s.filter}x${s.filter} stride ${s.stride} pad ${JSON.stringify(s.pad)}${s.dimRoundingMode ? ` ${s.dimRoundingMode}` : ''}`;

function convInfo(s: ConvShape): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    [s.batch, s.height, s.width, s.inChannels],
    [s.filter, s.filter, s.inChannels, s.outChannels],
    s.stride,
    1,
    s.pad,
    s.dimRoundingMode,
  );
}

function filterGradCase(s: ConvShape, seed = 1): KernelCase {
  const { outShape } = convInfo(s);
  return {
    name: describeShape(s),
    kernel: tf.Conv2DBackpropFilter,
    inputs: () => ({ x: random([s.batch, s.height, s.width, s.inChannels], seed), dy: random(outShape, seed + 1) }),
    attrs: {
      strides: s.stride,
      pad: s.pad,
      dataFormat: 'NHWC',
      filterShape: [s.filter, s.filter, s.inChannels, s.outChannels],
      ...(s.dimRoundingMode ? { dimRoundingMode: s.dimRoundingMode } : {}),
    },
  };
}

function inputGradCase(s: ConvShape, seed = 1): KernelCase {
  const { outShape } = convInfo(s);
  return {
    name: describeShape(s),
    kernel: tf.Conv2DBackpropInput,
    inputs: () => ({ dy: random(outShape, seed), filter: random([s.filter, s.filter, s.inChannels, s.outChannels], seed + 1) }),
    attrs: {
      strides: s.stride,
      pad: s.pad,
      dataFormat: 'NHWC',
      inputShape: [s.batch, s.height, s.width, s.inChannels],
      ...(s.dimRoundingMode ? { dimRoundingMode: s.dimRoundingMode } : {}),
    },
  };
}

function forwardCase(s: ConvShape, seed = 1, fused: { bias?: boolean; activation?: string } = {}): KernelCase {
  return {
    name: describeShape(s),
    kernel: tf.FusedConv2D,
    inputs: () => ({
      x: random([s.batch, s.height, s.width, s.inChannels], seed),
      filter: random([s.filter, s.filter, s.inChannels, s.outChannels], seed + 1),
      ...(fused.bias ? { bias: random([s.outChannels], seed + 2) } : {}),
    }),
    attrs: {
      strides: s.stride,
      pad: s.pad,
      dataFormat: 'NHWC',
      dilations: 1,
      activation: fused.activation ?? 'linear',
      ...(s.dimRoundingMode ? { dimRoundingMode: s.dimRoundingMode } : {}),
    },
  };
}

const withName = (cases: KernelCase[]) => cases.map((c) => [c.name, c] as const);

/** Where the weights outnumber the activations the product puts them on the left (conv-columns.ts). */
describe('convolutions whose weights outweigh their activations', () => {
  it('are among the shapes checked, and so are the others, at every stride', () => {
    for (const outweigh of [true, false]) {
      const strides = convShapes.filter((s) => weightsOutweigh(convInfo(s)) === outweigh).map((s) => s.stride);
      expect(new Set(strides), String(outweigh)).toEqual(new Set([1, 2, 3]));
    }
  });
});

describe('FusedConv2D on wasm', () => {
  // wasm's own kernel, which takes the other convolutions, gives wrong values where a rounding mode other
  // than 'floor' changes the output's size; tf.layers never asks for another.
  const rounded = (s: ConvShape) => s.dimRoundingMode !== undefined && s.dimRoundingMode !== 'floor';
  it.each(withName(convShapes.filter((s) => !rounded(s)).map((s) => forwardCase(s))))('matches the cpu backend: %s', async (_, c) => {
    await expectSameAsCpu(c);
  });

  const resnetLike = convShapes.find((s) => s.filter === 3 && s.stride === 1 && weightsOutweigh(convInfo(s)))!;
  it('matches the cpu backend with a bias and an activation, which wasm’s own kernel fuses', async () => {
    await expectSameAsCpu(forwardCase(resnetLike, 3, { bias: true, activation: 'relu' }));
  });

  // The second run goes to wasm’s own kernel, which keeps the filter’s packing (fused-conv2d.ts).
  it('gives a filter that runs again the same result as its first run', async () => {
    await tf.setBackend('wasm');
    const c = forwardCase(resnetLike, 5);
    const inputs = c.inputs() as unknown as tf.NamedTensorMap;
    const [first, again] = [0, 1].map(() => tf.tidy(() => Array.from((tf.engine().runKernel(c.kernel, inputs, c.attrs) as tf.Tensor).dataSync())));
    expect(relativeError(again!, first!)).toBeLessThan(TOLERANCE);
    tf.dispose(Object.values(inputs));
  });
});

describe('Conv2DBackpropFilter on wasm', () => {
  it('is checked by both of its ways, at every stride', () => {
    for (const way of ['convolution', 'product'] as const) {
      const strides = convShapes.filter((s) => filterGradientWay(convInfo(s)) === way).map((s) => s.stride);
      expect(new Set(strides), way).toEqual(new Set([1, 2, 3]));
    }
  });

  it.each(withName(convShapes.map((s) => filterGradCase(s))))('matches the cpu backend: %s', async (_, c) => {
    await expectSameAsCpu(c);
  });

  it('refuses NCHW data with a clear message', () => {
    const c = filterGradCase(convShapes[0]!);
    expect(() => tf.tidy(() => tf.engine().runKernel(c.kernel, c.inputs() as unknown as tf.NamedTensorMap, { ...c.attrs, dataFormat: 'NCHW' }))).toThrow(
      /supports only NHWC/,
    );
  });
});

describe('Conv2DBackpropInput on wasm', () => {
  it.each(withName(convShapes.map((s) => inputGradCase(s))))('matches the cpu backend: %s', async (_, c) => {
    await expectSameAsCpu(c);
  });
});

type PoolAttrs = { filterSize: number | [number, number]; strides: number; pad: 'same' | 'valid' | number };

/** Pooling gradient cases over window, stride and padding, with varied shapes; `make` builds each one. */
function poolCases(make: (shape: number[], attrs: PoolAttrs, outShape: number[], i: number) => KernelCase): KernelCase[] {
  const cases: KernelCase[] = [];
  for (const filterSize of [1, 2, 3, [3, 2]] as const) {
    for (const strides of [1, 2, 3]) {
      for (const pad of ['same', 'valid', 1] as const) {
        if (pad === 1 && filterSize === 1) continue;
        const i = cases.length;
        const shape = [1 + (i % 4), 5 + (i % 6), 4 + ((i * 3) % 7), [1, 3, 16, 64][i % 4]!];
        const attrs: PoolAttrs = { filterSize: filterSize as number | [number, number], strides, pad };
        const { outShape } = tf.backend_util.computePool2DInfo(shape as [number, number, number, number], attrs.filterSize, strides, 1, pad);
        cases.push(make(shape, attrs, outShape, i));
      }
    }
  }
  return cases;
}

/** `kernel` with 2x2 windows at stride 2, SAME then VALID, on each of `shapes`; `i` counts the cases made. */
function halvingCases(kernel: string, shapes: number[][], inputs: (shape: number[], outShape: number[], i: number) => Record<string, tf.Tensor>): KernelCase[] {
  return shapes.flatMap((shape, s) =>
    (['same', 'valid'] as const).map((pad, p) => {
      const { outShape } = tf.backend_util.computePool2DInfo(shape as [number, number, number, number], 2, 2, 1, pad);
      return {
        name: `${shape} pool 2 stride 2 pad ${pad}`,
        kernel,
        inputs: () => inputs(shape, outShape, 2 * s + p),
        attrs: { filterSize: 2, strides: 2, pad },
      };
    }),
  );
}

describe('MaxPoolGrad on wasm', () => {
  const cases = poolCases((shape, attrs, outShape, i) => ({
    name: `${shape} pool ${attrs.filterSize} stride ${attrs.strides} pad ${attrs.pad}`,
    kernel: tf.MaxPoolGrad,
    // Values on a coarse grid, so that windows hold ties: the first largest must get the gradient.
    // Neither backend reads the forward output, which wasm's MaxPool cannot compute for every
    // shape here (it fails on uneven windows with numeric padding).
    inputs: () => ({ dy: random(outShape, i + 100), input: tf.round(tf.mul(random(shape, i), 2)), output: tf.zeros(outShape) }),
    attrs,
  }));
  it.each(withName(cases))('matches the cpu backend: %s', async (_, c) => {
    await expectSameAsCpu(c);
  });

  // 2x2 windows at stride 2 take a SIMD loop of their own, four channels at a time, from 4 channels up:
  // odd and even sides, where SAME pads the last row and column and VALID leaves them out, channel counts
  // that are and are not multiples of 4, on values with ties.
  const halving = halvingCases(
    tf.MaxPoolGrad,
    // prettier-ignore
    [[1, 7, 5, 3], [2, 8, 6, 16], [3, 5, 8, 1], [1, 2, 3, 4], [2, 9, 9, 5], [2, 7, 10, 7], [1, 4, 4, 8]],
    (shape, outShape, i) => ({ dy: random(outShape, i + 200), input: tf.round(tf.mul(random(shape, i + 300), 2)), output: tf.zeros(outShape) }),
  );
  it.each(withName(halving))('matches the cpu backend: %s', async (_, c) => {
    await expectSameAsCpu(c);
  });

  it('gives a window of -Infinity alone nothing, as the cpu backend does', async () => {
    // log(0): many windows wholly or partly -Infinity, the rest 0 or log(2).
    const shape = [2, 6, 6, 8];
    await expectSameAsCpu({
      name: '',
      kernel: tf.MaxPoolGrad,
      inputs: () => ({ dy: random([2, 3, 3, 8], 401), input: tf.log(tf.relu(tf.round(tf.mul(random(shape, 402), 2)))), output: tf.zeros([2, 3, 3, 8]) }),
      attrs: { filterSize: 2, strides: 2, pad: 'valid' },
    });
  });
});

describe('Tile on wasm', () => {
  const cases: Array<[shape: number[], reps: number[], dtype: tf.DataType]> = [
    [[16], [3], 'float32'],
    [[1, 1, 1, 16], [4, 5, 6, 1], 'float32'],
    [[4, 5, 6, 1], [1, 1, 1, 16], 'float32'],
    [[2, 3, 1, 4], [1, 1, 5, 1], 'float32'],
    [[3, 4], [2, 3], 'int32'],
    [[2, 1, 3], [2, 4, 1], 'bool'],
    [[2, 1, 2, 1, 3], [1, 2, 1, 3, 2], 'float32'],
    [[3, 5], [1, 1], 'float32'],
    [[0, 3], [2, 2], 'float32'],
  ];
  it.each(cases)('matches the cpu backend: %j tiled %j (%s)', async (shape, reps, dtype) => {
    await expectSameAsCpu({
      name: '',
      kernel: tf.Tile,
      inputs: () => ({ x: numbers(shape, 7, dtype) }),
      attrs: { reps },
    });
  });
});

describe('AvgPoolGrad on wasm', () => {
  const cases = poolCases((shape, attrs, outShape, i) => ({
    name: `${shape} pool ${attrs.filterSize} stride ${attrs.strides} pad ${attrs.pad}`,
    kernel: tf.AvgPoolGrad,
    inputs: () => ({ dy: random(outShape, i + 100), input: random(shape, i) }),
    attrs,
  }));
  it.each(withName(cases))('matches the cpu backend: %s', async (_, c) => {
    await expectSameAsCpu(c);
  });

  // 2x2 windows at stride 2 that tile the input go to a SIMD loop, four channels at a time (LeNet-5's two
  // first); fewer than four channels, and inputs the windows do not tile, do not.
  const tiling = halvingCases(
    tf.AvgPoolGrad,
    // prettier-ignore
    [[2, 28, 28, 6], [2, 10, 10, 16], [1, 4, 6, 4], [3, 2, 2, 5], [1, 6, 4, 7], [1, 4, 4, 3], [1, 5, 4, 8], [1, 4, 5, 8]],
    (shape, outShape, i) => ({ dy: random(outShape, i + 500), input: random(shape, i + 600) }),
  );
  it.each(withName(tiling))('matches the cpu backend: %s', async (_, c) => {
    await expectSameAsCpu(c);
  });
});

describe('Tanh on wasm', () => {
  it.each([
    ['values in [-1, 1)', 1],
    ['values in [-12, 12), beyond which tanh is +-1 in float32', 12],
    ['values in [-0.001, 0.001), where tanh(x) is nearly x', 0.001],
  ])('matches the cpu backend: %s', async (_, range) => {
    await expectSameAsCpu({ name: '', kernel: tf.Tanh, inputs: () => ({ x: tf.mul(random([3, 7, 5, 6], 31), range) }), attrs: {} });
  });

  it('keeps the relative precision of tiny values', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor1d([1e-30, -3e-12, 2e-7, 0]);
    expect(Array.from(tf.tanh(x).dataSync())).toEqual(Array.from(x.dataSync()));
  });

  // Four values at a time: fewer than four in all, and counts that leave one to three over.
  it.each([1, 2, 3, 5, 6, 7, 9])('matches the cpu backend on %i values', async (count) => {
    await expectSameAsCpu({ name: '', kernel: tf.Tanh, inputs: () => ({ x: tf.mul(random([count], 32), 3) }), attrs: {} });
  });

  it('gives +-1 at +-Infinity and NaN at NaN', async () => {
    await tf.setBackend('wasm');
    const [nan, plus, minus] = tf.tanh(tf.tensor1d([NaN, Infinity, -Infinity])).dataSync();
    expect(nan).toBeNaN();
    expect(plus).toBeCloseTo(1, 6);
    expect(minus).toBeCloseTo(-1, 6);
  });
});

describe('Sum and Mean on wasm', () => {
  // Leading axes take the fast path; the rest, and integer sums, go to wasm's own kernels.
  const cases: Array<[shape: number[], axis: number | number[], keepDims: boolean, dtype: tf.DataType]> = [
    [[4, 5, 6, 16], [0, 1, 2], false, 'float32'],
    [[4, 5, 6, 16], [0, 1, 2], true, 'float32'],
    // Blocks of 256 rows and a part block; four columns at a time and the ones left over.
    [[2, 20, 20, 6], [0, 1, 2], false, 'float32'],
    [[600, 13], 0, true, 'float32'],
    // No rows: wasm's own kernel.
    [[0, 4], 0, false, 'float32'],
    [[7, 3], 0, false, 'float32'],
    [[2, 3, 4], [1, 0], false, 'float32'],
    [[3, 5, 3, 2], [-4, -3, -2], true, 'float32'],
    [[3, 4, 5], [1, 2], false, 'float32'],
    [[3, 4, 5], [0, 2], true, 'float32'],
    [[3, 4, 5], [0, 1, 2], false, 'float32'],
    [[6, 5], 0, false, 'int32'],
  ];
  for (const kernel of [tf.Sum, tf.Mean]) {
    it.each(cases)(`${kernel} matches the cpu backend: %j over %j, keepDims %s (%s)`, async (shape, axis, keepDims, dtype) => {
      await expectSameAsCpu({ name: '', kernel, inputs: () => ({ x: numbers(shape, 3, dtype) }), attrs: { axis, keepDims } });
    });
  }
});

describe('FusedBatchNorm on wasm', () => {
  const x = () => random([3, 5, 40, 8], 11);
  const variance = (shape: number[]) => tf.add(tf.abs(random(shape, 13)), 0.1);
  const cases: Array<[string, () => Record<string, tf.Tensor>]> = [
    ['per channel', () => ({ x: x(), mean: random([8], 12), variance: variance([8]), scale: random([8], 14), offset: random([8], 15) })],
    ['without scale and offset', () => ({ x: x(), mean: random([8], 12), variance: variance([8]) })],
    [
      'with [1, 1, 1, c] and single-value parameters',
      () => ({ x: x(), mean: random([1, 1, 1, 8], 12), variance: variance([1, 1, 1, 1]), scale: random([1, 1, 1, 1], 14), offset: random([1, 1, 1, 8], 15) }),
    ],
    // Parameters that vary along more than the channels go to wasm's own kernel.
    [
      'with [w, c] parameters',
      () => ({ x: x(), mean: random([40, 8], 12), variance: variance([40, 8]), scale: random([40, 8], 14), offset: random([40, 8], 15) }),
    ],
  ];
  it.each(cases)('matches the cpu backend: %s', async (_, inputs) => {
    await expectSameAsCpu({ name: '', kernel: tf.FusedBatchNorm, inputs, attrs: { varianceEpsilon: 0.001 } });
  });
});

describe('Identity on wasm', () => {
  it.each(['float32', 'int32', 'bool'] as const)('matches the cpu backend (%s)', async (dtype) => {
    await expectSameAsCpu({ name: '', kernel: tf.Identity, inputs: () => ({ x: numbers([3, 4, 5], 9, dtype) }), attrs: {} });
  });

  it('shares the data, which outlives whichever of the two tensors is disposed first', async () => {
    await tf.setBackend('wasm');
    const x = random([2, 3], 5);
    const expected = Array.from(x.dataSync());
    const copy = tf.clone(x);
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual(expected);
    copy.dispose();
  });
});

describe('transposed, our SIMD loop in the memory of the backend', () => {
  // Whole 4x4 blocks, the columns and rows left over, more than one 64-column band, and single rows and columns.
  const shapes: Array<[rows: number, cols: number]> = [
    [1, 1],
    [1, 9],
    [9, 1],
    [3, 5],
    [4, 4],
    [7, 13],
    [64, 3],
    [130, 67],
    [67, 130],
  ];
  it.each(shapes)('turns a %i x %i matrix, every value bit for bit (float32 NaNs and -0, int32)', async (rows, cols) => {
    await tf.setBackend('wasm');
    const backend = wasmBackend();
    for (const dtype of ['float32', 'int32'] as const) {
      // Knuth's multiplicative hash: every bit pattern is likely, NaNs with payloads among them.
      const bits = Int32Array.from({ length: rows * cols }, (_, i) => Math.imul(i + 1, 2654435761));
      bits[0] = 0x80000000; // -0
      const matrix = backend.makeOutput([rows, cols], dtype);
      heapBits(backend, matrix).set(bits);
      const out = transposed(backend, matrix, rows, cols);
      const expected = new Int32Array(rows * cols);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expected[c * rows + r] = bits[r * cols + c]!;
      expect(out.shape).toEqual([cols, rows]);
      expect(out.dtype).toBe(dtype);
      expect(heapBits(backend, out)).toEqual(expected);
      backend.disposeData(matrix.dataId);
      backend.disposeData(out.dataId);
    }
  });

  it('still works once the heap has grown', async () => {
    await tf.setBackend('wasm');
    const backend = wasmBackend();
    const heapBytes = (info: tf.TensorInfo) => backend.typedArrayFromHeap(info).buffer.byteLength;
    const matrix = backend.makeOutput([5, 6], 'int32');
    const before = heapBytes(matrix);
    // More than the heap held, so that it must grow: the module reads the memory, not a view of it.
    const large = backend.makeOutput([before / 4 + 1024 * 1024], 'float32');
    expect(heapBytes(matrix)).toBeGreaterThan(before);
    heapBits(backend, matrix).set(Int32Array.from({ length: 30 }, (_, i) => i));
    const out = transposed(backend, matrix, 5, 6);
    expect(Array.from(heapBits(backend, out))).toEqual(Array.from({ length: 30 }, (_, i) => (i % 5) * 6 + Math.floor(i / 5)));
    for (const info of [large, matrix, out]) backend.disposeData(info.dataId);
  });
});

describe('BatchMatMul on wasm', () => {
  const cases: Array<[a: number[], b: number[], transposeA: boolean, transposeB: boolean]> = [
    [[32, 40], [40, 24], false, false],
    [[40, 32], [40, 24], true, false],
    [[32, 40], [24, 40], false, true],
    [[40, 32], [24, 40], true, true],
    [[1, 17, 5], [1, 17, 9], true, false],
    [[1, 5, 17], [9, 17], false, true],
    // A·Bᵀ with fewer rows in A, taken as (B·Aᵀ)ᵀ: a dense layer's input gradient; as many rows, as is.
    [[16, 84], [120, 84], false, true],
    [[7, 13], [1, 400, 13], false, true],
    [[6, 5], [6, 5], false, true],
    // More than one product goes to wasm's own kernel.
    [[3, 6, 5], [3, 6, 4], true, false],
    [[1, 6, 5], [3, 4, 5], false, true],
  ];
  it.each(cases)('matches the cpu backend: %j x %j, transposed %s %s', async (a, b, transposeA, transposeB) => {
    await expectSameAsCpu({ name: '', kernel: tf.BatchMatMul, inputs: () => ({ a: random(a, 21), b: random(b, 22) }), attrs: { transposeA, transposeB } });
  });
});

describe('the wasm training kernels', () => {
  const oneOfEach: KernelCase[] = [
    filterGradCase(convShapes[13]!),
    inputGradCase(convShapes[13]!),
    inputGradCase(convShapes[0]!),
    inputGradCase(convShapes.at(-1)!),
    forwardCase(convShapes.at(-1)!),
    {
      name: 'MaxPoolGrad',
      kernel: tf.MaxPoolGrad,
      inputs: () => ({ dy: random([2, 3, 3, 4], 1), input: random([2, 6, 6, 4], 2), output: random([2, 3, 3, 4], 3) }),
      attrs: { filterSize: 2, strides: 2, pad: 'valid' },
    },
    { name: 'Tile', kernel: tf.Tile, inputs: () => ({ x: random([1, 1, 1, 4], 1) }), attrs: { reps: [2, 3, 3, 1] } },
    {
      name: 'AvgPoolGrad',
      kernel: tf.AvgPoolGrad,
      inputs: () => ({ dy: random([2, 3, 3, 4], 1), input: random([2, 6, 6, 4], 2) }),
      attrs: { filterSize: 2, strides: 2, pad: 'valid' },
    },
    { name: 'Tanh', kernel: tf.Tanh, inputs: () => ({ x: random([2, 3, 3, 4], 1) }), attrs: {} },
    { name: 'Identity', kernel: tf.Identity, inputs: () => ({ x: random([2, 3], 1) }), attrs: {} },
    { name: 'Sum', kernel: tf.Sum, inputs: () => ({ x: random([2, 3, 3, 4], 1) }), attrs: { axis: [0, 1, 2], keepDims: false } },
    { name: 'Mean', kernel: tf.Mean, inputs: () => ({ x: random([2, 3, 3, 4], 1) }), attrs: { axis: [0, 1, 2], keepDims: true } },
    {
      name: 'FusedBatchNorm',
      kernel: tf.FusedBatchNorm,
      inputs: () => ({ x: random([2, 3, 3, 4], 1), mean: random([4], 2), variance: tf.abs(random([4], 3)) }),
      attrs: { varianceEpsilon: 0.001 },
    },
    {
      name: 'BatchMatMul',
      kernel: tf.BatchMatMul,
      inputs: () => ({ a: random([5, 3], 1), b: random([4, 5], 2) }),
      attrs: { transposeA: true, transposeB: true },
    },
    {
      name: 'BatchMatMul as (B·Aᵀ)ᵀ',
      kernel: tf.BatchMatMul,
      inputs: () => ({ a: random([3, 5], 1), b: random([7, 5], 2) }),
      attrs: { transposeA: false, transposeB: true },
    },
  ];

  it.each(withName(oneOfEach))('leave no tensor and no wasm memory behind: %s', async (_, c) => {
    await tf.setBackend('wasm');
    const inputs = c.inputs();
    const tensors = tf.memory().numTensors;
    const dataIds = wasmBackend().numDataIds();
    for (let i = 0; i < 3; i++) tf.dispose(tf.engine().runKernel(c.kernel, inputs as unknown as tf.NamedTensorMap, c.attrs) as tf.Tensor);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(wasmBackend().numDataIds()).toBe(dataIds);
    tf.dispose(Object.values(inputs));
  });

  it('register once however often they are registered', () => {
    const before = tf.getKernelsForBackend('wasm');
    registerWasmTrainingKernels();
    expect(tf.getKernelsForBackend('wasm')).toEqual(before);
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeDefined();
  });

  it('give a small conv + batch-norm + max-pool + wide conv + dense model the same gradients as the cpu backend', async () => {
    const gradients = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      const model = tfl.sequential({
        layers: [
          tfl.layers.conv2d({ inputShape: [12, 12, 3], filters: 6, kernelSize: 3, padding: 'same' }),
          tfl.layers.batchNormalization(),
          tfl.layers.activation({ activation: 'relu' }),
          tfl.layers.maxPooling2d({ poolSize: 2 }),
          tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, activation: 'relu' }),
          // More weights than activations, as in ResNet-50's last stages (conv-columns.ts).
          tfl.layers.conv2d({ filters: 48, kernelSize: 3, padding: 'same', useBias: false }),
          tfl.layers.flatten(),
          tfl.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      });
      model.setWeights(model.weights.map((w, i) => tf.add(random(w.shape as number[], 100 + i), w.name.includes('variance') ? 1.5 : 0)));
      const x = random([4, 12, 12, 3], 1);
      const y = tf.oneHot(tf.tensor1d([0, 2, 1, 2], 'int32'), 3);
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(
        () => tf.mean(tfl.metrics.categoricalCrossentropy(y, model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar,
        variables,
      );
      const result = { loss: value.dataSync()[0]!, grads: variables.map((v) => Array.from(grads[v.name]!.dataSync())) };
      tf.dispose([value, x, y, ...Object.values(grads)]);
      model.dispose();
      return result;
    };
    const expected = await gradients('cpu');
    const actual = await gradients('wasm');
    expect(relativeError([actual.loss], [expected.loss])).toBeLessThan(TOLERANCE);
    expect(actual.grads.length).toBe(9);
    // The bias of the conv just before batch norm (weight 1) has a gradient of zero in exact arithmetic,
    // since batch norm takes the mean away: both backends give only rounding noise there, so that one is
    // held to be tiny next to the model's other gradients instead.
    const largest = Math.max(...expected.grads.flat().map(Math.abs));
    for (const grads of [actual.grads, expected.grads]) expect(Math.max(...grads[1]!.map(Math.abs)) / largest).toBeLessThan(TOLERANCE);
    actual.grads.forEach((grad, i) => {
      if (i !== 1) expect(relativeError(grad, expected.grads[i]!), `gradient of weight ${i}`).toBeLessThan(TOLERANCE);
    });
  });
});
