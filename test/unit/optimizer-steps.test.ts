import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TRAINING_DEFAULTS } from '../../src/shared/runs';
import { registerWasmTrainingKernels } from '../../src/core/training/kernels';
import { ADAM_STEP, type AdamStepAttrs } from '../../src/core/training/kernels/adam-step';
import { MOMENTUM_STEP, type MomentumStepAttrs } from '../../src/core/training/kernels/momentum-step';
import { ADAM_EPSILON, makeOptimizer, type RunOptimizer } from '../../src/core/training/optimizer';
import { countingWasmKernel, float32Bits, random } from './seeded-values';

// Sizes that leave the SIMD loop 0 to 3 values to take one at a time, and a scalar weight.
const SHAPES = [[], [3], [4], [7], [5, 5, 3, 6], [1001]];

/** Each weight's and each state variable's bits after three steps at changing rates, by an optimiser from `make`. */
async function afterSteps(backend: string, make: () => RunOptimizer) {
  await tf.setBackend(backend);
  const weights = SHAPES.map((shape, i) => tf.variable(random(shape, i + 1), true, `optimizer-step-${backend}-${i}-${Math.random()}`));
  const { optimizer, setLearningRate } = make();
  for (const [step, rate] of [0.1, 0.05, 0.3].entries()) {
    setLearningRate(rate);
    const gradients = weights.map((weight, i) => ({ name: weight.name, tensor: random(weight.shape, 100 * step + i) }));
    optimizer.applyGradients(gradients);
    tf.dispose(gradients.map((gradient) => gradient.tensor));
  }
  const state = await optimizer.getWeights();
  const result = {
    weights: weights.map(float32Bits),
    state: state.slice(1).map(({ name, tensor }) => [name.replace(/^.*-(\d+)-[\d.]+/, '$1'), float32Bits(tensor)]),
  };
  optimizer.dispose();
  tf.dispose(weights);
  return result;
}

const OPTIMIZERS = [
  {
    name: 'SGD with momentum',
    kernel: MOMENTUM_STEP,
    ours: () => makeOptimizer({ ...TRAINING_DEFAULTS, dataset: 'd', optimizer: 'sgd', learningRate: 0.1, momentum: 0.9 }),
    tfjs: (): RunOptimizer => {
      const optimizer = tf.train.momentum(0.1, 0.9);
      return { optimizer, setLearningRate: (rate) => optimizer.setLearningRate(rate) };
    },
    stateNames: SHAPES.map((_, i) => `${i}/momentum`),
    attrs: { momentum: 0.9, learningRate: 0.1 } satisfies MomentumStepAttrs,
    wrongInputs: () => ({ value: tf.zeros([2, 3]), accumulation: tf.zeros([2, 3]), gradient: tf.zeros([3, 3]) }),
    wrongSaid: "The momentum step's gradient has shape [3,3], its weight [2,3].",
  },
  {
    name: 'Adam',
    kernel: ADAM_STEP,
    ours: () => makeOptimizer({ ...TRAINING_DEFAULTS, dataset: 'd', optimizer: 'adam', learningRate: 0.1 }),
    tfjs: (): RunOptimizer => {
      const optimizer = tf.train.adam(0.1, 0.9, 0.999, ADAM_EPSILON);
      return { optimizer, setLearningRate: (rate) => ((optimizer as unknown as { learningRate: number }).learningRate = rate) };
    },
    stateNames: [...SHAPES.map((_, i) => `${i}/m`), ...SHAPES.map((_, i) => `${i}/v`)],
    attrs: { beta1: 0.9, beta2: 0.999, epsilon: ADAM_EPSILON, learningRate: 0.1, correction1: 0.1, correction2: 0.001 } satisfies AdamStepAttrs,
    wrongInputs: () => ({ value: tf.zeros([2, 3]), first: tf.zeros([6]), second: tf.zeros([3, 3]), gradient: tf.zeros([2, 3]) }),
    wrongSaid: "The Adam step's second moment has shape [3,3], its weight [2,3].",
  },
];

beforeAll(async () => {
  registerWasmTrainingKernels();
});

afterEach(async () => {
  await tf.setBackend('cpu');
});

describe.each(OPTIMIZERS)('$name', ({ kernel, ours, tfjs, stateNames, attrs, wrongInputs, wrongSaid }) => {
  it('steps each weight on wasm by one kernel of ours, to the same bits as tfjs’s optimiser and with its state', async () => {
    const { result: actual, calls } = await countingWasmKernel(kernel, () => afterSteps('wasm', ours));
    expect(calls).toBe(3 * SHAPES.length);
    const expected = await afterSteps('wasm', tfjs);
    expect(actual).toEqual(expected);
    // Not a case that passes by changing nothing.
    expect(actual.weights[1]).not.toEqual(float32Bits(random([3], 2)));
    expect(actual.state.map(([name]) => name)).toEqual(stateNames);
  });

  it('steps as tfjs’s own does on a backend without our kernel', async () => {
    expect(tf.getKernel(kernel, 'cpu')).toBeUndefined();
    expect(await afterSteps('cpu', ours)).toEqual(await afterSteps('cpu', tfjs));
  });

  it('refuses a state or gradient of another size than its weight, naming both shapes', async () => {
    await tf.setBackend('wasm');
    const inputs = wrongInputs();
    expect(() => tf.engine().runKernel(kernel, inputs, attrs as unknown as tf.NamedAttrMap)).toThrow(wrongSaid);
    tf.dispose(Object.values(inputs));
  });
});
