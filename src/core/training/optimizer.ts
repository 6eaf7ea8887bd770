// The optimiser a run asked for, and its learning rate epoch by epoch.

import * as tf from '@tensorflow/tfjs-core';
import type { TrainingOptions } from '../../shared/runs';

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
  const sgd = tf.train.momentum(options.learningRate, options.momentum);
  return { optimizer: sgd, setLearningRate: (learningRate) => sgd.setLearningRate(learningRate) };
}

/** The rate for a 1-based epoch: constant, stepped down every `stepEvery` epochs, or cosine-annealed towards 0. */
export function learningRateAt(options: Pick<TrainingOptions, 'learningRate' | 'schedule' | 'stepEvery' | 'stepFactor' | 'epochs'>, epoch: number): number {
  if (options.schedule === 'step') return options.learningRate * options.stepFactor ** Math.floor((epoch - 1) / options.stepEvery);
  if (options.schedule === 'cosine') return options.learningRate * 0.5 * (1 + Math.cos((Math.PI * (epoch - 1)) / options.epochs));
  return options.learningRate;
}
