// A few optimiser steps of a model built exactly as core builds it, on the backend asked for: the
// losses and the weights afterwards, to compare between backends.

import { ADAM_EPSILON } from '../core/training/optimizer';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { buildModel } from '../core/training/models';
import { useComputeBackend } from './backend';
import type { OptimizerSpec, TrainBatch, TrainedWeights, TrainStepsRequest, TrainStepsResult } from './protocol';

/** Clipped as core's loss is (train-run.ts), so both compute the same function. */
const EPSILON = 1e-7;

export async function trainSteps(request: TrainStepsRequest): Promise<TrainStepsResult> {
  const started = performance.now();
  const backend = await useComputeBackend(request.backend, request.allowFallbackAdapter);
  const model = buildModel(request.model, { size: request.size, classes: request.classes }, { seed: request.seed });
  const optimizer = makeOptimizer(request.optimizer);
  try {
    const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
    const losses: number[] = [];
    for (let step = 0; step < request.steps; step++) {
      const batch = request.batches[step % request.batches.length]!;
      losses.push(await trainStep(model, optimizer, variables, batch, request));
    }
    return { backend: backend.name, adapter: backend.adapter, losses, weights: await readWeights(model), milliseconds: performance.now() - started };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

function makeOptimizer(spec: OptimizerSpec): tf.Optimizer {
  return spec.kind === 'adam' ? tf.train.adam(spec.learningRate, 0.9, 0.999, ADAM_EPSILON) : tf.train.momentum(spec.learningRate, spec.momentum);
}

async function trainStep(
  model: LayersModel,
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  batch: TrainBatch,
  request: TrainStepsRequest,
): Promise<number> {
  const count = batch.labels.length;
  const [x, y] = tf.tidy(() => [
    tf.tensor4d(batch.images, [count, request.size, request.size, 3]),
    tf.cast(tf.oneHot(tf.tensor1d(batch.labels, 'int32'), request.classes), 'float32'),
  ]);
  try {
    const loss = optimizer.minimize(
      () => {
        const probabilities = model.apply(x, { training: true }) as tf.Tensor2D;
        return tf.mean(tf.neg(tf.sum(tf.mul(y, tf.log(tf.clipByValue(probabilities, EPSILON, 1 - EPSILON))), -1))) as tf.Scalar;
      },
      true,
      variables,
    )!;
    const value = (await loss.data())[0]!;
    loss.dispose();
    return value;
  } finally {
    tf.dispose([x, y]);
  }
}

async function readWeights(model: LayersModel): Promise<TrainedWeights[]> {
  return Promise.all(
    model.weights.map(async (weight) => {
      const tensor = weight.read();
      return { name: weight.originalName, shape: tensor.shape, values: (await tensor.data()) as Float32Array };
    }),
  );
}
