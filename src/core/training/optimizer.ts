// The optimiser a run asked for, and its learning rate epoch by epoch.

import * as tf from '@tensorflow/tfjs-core';
import type { TrainingOptions } from '../../shared/runs';
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
    const adam = tf.train.adam(options.learningRate, 0.9, 0.999, ADAM_EPSILON);
    return {
      optimizer: adam,
      // Adam reads its rate on every step but has no setter.
      setLearningRate: (learningRate) => {
        (adam as unknown as { learningRate: number }).learningRate = learningRate;
      },
    };
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

/** The state tfjs's MomentumOptimizer keeps privately, which MomentumSgd keeps for it. */
interface MomentumState {
  accumulations: { originalName: string; variable: tf.Variable }[];
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

  override applyGradients(variableGradients: Parameters<tf.MomentumOptimizer['applyGradients']>[0]): void {
    if (tf.getKernel(MOMENTUM_STEP, tf.getBackend()) === undefined) return super.applyGradients(variableGradients);
    const { accumulations } = this as unknown as MomentumState;
    const named = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const attrs: MomentumStepAttrs = { momentum: this.decay, learningRate: this.learningRate };
    named.forEach(({ name, tensor: gradient }, i) => {
      const value = tf.engine().registeredVariables[name]!;
      // As tfjs makes them: by position, named after the weight.
      accumulations[i] ??= { originalName: `${name}/momentum`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      const accumulation = accumulations[i].variable;
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
