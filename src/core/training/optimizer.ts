// The optimiser a run asked for, and its learning rate epoch by epoch.

import * as tf from '@tensorflow/tfjs-core';
import type { TrainingOptions } from '../../shared/runs';
import { ADAM_STEP, type AdamStepAttrs } from './kernels/adam-step';
import { MOMENTUM_STEP, type MomentumStepAttrs } from './kernels/momentum-step';

/** Adam's epsilon on every backend (tfjs's own default on float32 ones). */
export const ADAM_EPSILON = 1e-7;

export interface RunOptimizer {
  optimizer: tf.Optimizer;
  /** Sets the rate the next steps take. */
  setLearningRate(learningRate: number): void;
}

/**
 * The optimiser, with its own way of changing the rate, chosen by the option: tfjs answers `instanceof`
 * by duck typing, so Adam passes as an SGDOptimizer and no instanceof test can tell them apart.
 */
export function makeOptimizer(options: TrainingOptions): RunOptimizer {
  if (options.optimizer === 'adam') {
    // Epsilon given, not left to tfjs: it takes 1e-4 where a backend claims float16 (tfjs 4.22's WebGL does
    // while rendering float32), and the same run would then train differently on another backend.
    const adam = new FusedAdam(options.learningRate, 0.9, 0.999, ADAM_EPSILON);
    return { optimizer: adam, setLearningRate: (learningRate) => adam.setLearningRate(learningRate) };
  }
  const sgd = new MomentumSgd(options.learningRate, options.momentum);
  return { optimizer: sgd, setLearningRate: (learningRate) => sgd.setLearningRate(learningRate) };
}

/** The rate for a 1-based epoch: constant, stepped down every `stepEvery` epochs, or cosine-annealed towards 0. */
export function learningRateAt(options: Pick<TrainingOptions, 'learningRate' | 'schedule' | 'stepEvery' | 'stepFactor' | 'epochs'>, epoch: number): number {
  if (options.schedule === 'step') return options.learningRate * options.stepFactor ** Math.floor((epoch - 1) / options.stepEvery);
  if (options.schedule === 'cosine') return options.learningRate * 0.5 * (1 + Math.cos((Math.PI * (epoch - 1)) / options.epochs));
  return options.learningRate;
}

/** One weight's state in an optimiser of tfjs, as its getWeights names it. */
interface OptimizerState {
  originalName: string;
  variable: tf.Variable;
}

/** The state tfjs's MomentumOptimizer keeps privately, which MomentumSgd keeps for it. */
interface MomentumState {
  accumulations: OptimizerState[];
}

/**
 * tfjs's SGD with momentum, each weight's step made by one kernel of ours where the backend has it (wasm):
 * tfjs's own takes four kernels a weight, each a pass over memory that reads two arrays and writes one,
 * which for ResNet-50's 23.6 million weights took 37 ms a step on one thread. The same arithmetic in the
 * same order, so the same bits; the same state, so tfjs's getWeights, setWeights and dispose still hold.
 */
class MomentumSgd extends tf.MomentumOptimizer {
  constructor(
    learningRate: number,
    private readonly decay: number,
  ) {
    super(learningRate, decay);
  }

  override applyGradients(variableGradients: Gradients): void {
    if (tf.getKernel(MOMENTUM_STEP, tf.getBackend()) === undefined) return super.applyGradients(variableGradients);
    const { accumulations } = this as unknown as MomentumState;
    const attrs: MomentumStepAttrs = { momentum: this.decay, learningRate: this.learningRate };
    namedGradients(variableGradients).forEach(({ name, tensor: gradient }, i) => {
      const value = tf.engine().registeredVariables[name]!;
      const accumulation = stateOf(accumulations, i, `${name}/momentum`, value);
      if (gradient == null) return;
      tf.tidy(() => {
        const inputs = { value, accumulation, gradient } as unknown as tf.NamedTensorMap;
        const [newValue, newAccumulation] = tf.engine().runKernel(MOMENTUM_STEP, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        accumulation.assign(newAccumulation!);
        value.assign(newValue!);
      });
    });
    this.incrementIterations();
  }
}

/** The state tfjs's AdamOptimizer keeps privately, which FusedAdam keeps for it. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: OptimizerState[];
  accumulatedSecondMoment: OptimizerState[];
}

/**
 * tfjs's Adam, each weight's step made by one kernel of ours where the backend has it (wasm): tfjs's own
 * takes fourteen kernels and six new scalars a weight. The same arithmetic in the same order, so the same
 * bits; the same state, so tfjs's getWeights, setWeights and dispose still hold.
 */
class FusedAdam extends tf.AdamOptimizer {
  setLearningRate(learningRate: number): void {
    this.learningRate = learningRate;
  }

  override applyGradients(variableGradients: Gradients): void {
    if (tf.getKernel(ADAM_STEP, tf.getBackend()) === undefined) return super.applyGradients(variableGradients);
    const state = this as unknown as AdamState;
    tf.tidy(() => {
      // 1 - beta^t as tfjs takes it, in float32, read once a step.
      const correction = (acc: tf.Variable) => tf.sub(1, acc).dataSync()[0]!;
      const attrs: AdamStepAttrs = {
        beta1: this.beta1,
        beta2: this.beta2,
        epsilon: this.epsilon,
        learningRate: this.learningRate,
        correction1: correction(state.accBeta1),
        correction2: correction(state.accBeta2),
      };
      namedGradients(variableGradients).forEach(({ name, tensor: gradient }, i) => {
        const value = tf.engine().registeredVariables[name]!;
        const first = stateOf(state.accumulatedFirstMoment, i, `${name}/m`, value);
        const second = stateOf(state.accumulatedSecondMoment, i, `${name}/v`, value);
        if (gradient == null) return;
        const inputs = { value, first, second, gradient } as unknown as tf.NamedTensorMap;
        const [newValue, newFirst, newSecond] = tf.engine().runKernel(ADAM_STEP, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        first.assign(newFirst!);
        second.assign(newSecond!);
        value.assign(newValue!);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

type Gradients = Parameters<tf.MomentumOptimizer['applyGradients']>[0];

/** The gradients as a list in the weights' order, however they were given. */
function namedGradients(variableGradients: Gradients): { name: string; tensor: tf.Tensor }[] {
  return Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
}

/** A weight's state variable in `list`, made as tfjs makes it (zeros, by position, named after the weight) on its first step. */
function stateOf(list: OptimizerState[], i: number, originalName: string, value: tf.Variable): tf.Variable {
  list[i] ??= { originalName, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
  return list[i].variable;
}
