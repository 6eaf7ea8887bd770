// A few optimiser steps of core's own trainStep on a model built exactly as core builds it, on the
// backend asked for: the losses and the weights afterwards, to compare between backends.

import { ADAM_EPSILON } from '../core/training/optimizer';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { buildModel } from '../core/training/models';
import { trainStep } from '../core/training/trainer';
import { useComputeBackend } from './backend';
import type { OptimizerSpec, TrainBatch, TrainedWeights, TrainStepsRequest, TrainStepsResult } from './protocol';

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
      losses.push(await stepOn(model, optimizer, variables, batch, request));
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

/** One step of core's own trainStep on a batch of the request. */
function stepOn(model: LayersModel, optimizer: tf.Optimizer, variables: tf.Variable[], batch: TrainBatch, request: TrainStepsRequest): Promise<number> {
  const count = batch.labels.length;
  const classes = Int32Array.from(batch.labels);
  const x = tf.tensor4d(batch.images, [count, request.size, request.size, 3]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(classes, 'int32'), request.classes) as tf.Tensor2D);
  return trainStep(model, optimizer, variables, { x, y, weights: null, classes }).then((step) => step.loss);
}

async function readWeights(model: LayersModel): Promise<TrainedWeights[]> {
  return Promise.all(
    model.weights.map(async (weight) => {
      const tensor = weight.read();
      return { name: weight.originalName, shape: tensor.shape, values: (await tensor.data()) as Float32Array };
    }),
  );
}
