// The optimiser a run asked for, and its learning rate epoch by epoch.

import * as tf from '@tensorflow/tfjs-core';
import type { TrainingOptions } from '../../shared/runs';

export function makeOptimizer(options: TrainingOptions): tf.Optimizer {
  return options.optimizer === 'adam' ? tf.train.adam(options.learningRate) : tf.train.momentum(options.learningRate, options.momentum);
}

/** The rate for a 1-based epoch: constant, stepped down every `stepEvery` epochs, or cosine-annealed towards 0. */
export function learningRateAt(options: Pick<TrainingOptions, 'learningRate' | 'schedule' | 'stepEvery' | 'stepFactor' | 'epochs'>, epoch: number): number {
  if (options.schedule === 'step') return options.learningRate * options.stepFactor ** Math.floor((epoch - 1) / options.stepEvery);
  if (options.schedule === 'cosine') return options.learningRate * 0.5 * (1 + Math.cos((Math.PI * (epoch - 1)) / options.epochs));
  return options.learningRate;
}

export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  if (optimizer instanceof tf.SGDOptimizer) optimizer.setLearningRate(learningRate);
  // Adam reads its rate on every step but has no setter.
  else (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}
