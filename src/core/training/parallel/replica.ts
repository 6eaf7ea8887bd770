// A replica of a data-parallel run (data-parallel.ts), in a worker thread of its own: builds its copy of
// the model with the leading worker's weights, then makes its part of each step and evaluation the
// leading worker commands, until told to stop.

import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../backends';
import { makeBatch } from '../batch-recipe';
import { buildModel } from '../models';
import { makeOptimizer } from '../optimizer';
import { readCommand, setWeightsFrom } from './batch-memory';
import { replicaSums, type ReplicaInput } from './data-parallel';
import { partEvaluate, partStep } from './part-step';
import { Group, GroupBroken } from './shared-sums';

export async function runReplica(input: ReplicaInput): Promise<void> {
  const { options, crops, labels, memory } = input;
  const { size } = crops;
  const group = new Group(memory.group, input.rank);
  let release = () => {};
  try {
    await useBackend('wasm', input.threads);
    const model = buildModel(options.model, { size, classes: labels }, { seed: options.seed });
    setWeightsFrom(model, memory);
    const { optimizer, setLearningRate } = makeOptimizer(options);
    release = () => {
      model.dispose();
      optimizer.dispose();
    };
    const replica = {
      model,
      optimizer,
      variables: model.trainableWeights.map((weight) => weight.read() as tf.Variable),
      size,
      labels,
      ...replicaSums(memory, group),
    };
    // Ready: the leading worker waits for every copy to be built before its first step.
    group.arrive();
    for (;;) {
      group.arrive();
      const { command, learningRate, recipe, from, to } = readCommand(memory, input.rank);
      if (command === 'stop') return;
      if (command === 'load') {
        setWeightsFrom(model, memory);
        group.arrive();
        continue;
      }
      const part = makeBatch(recipe, crops, from, to);
      if (command === 'evaluate') partEvaluate(replica, part, from, recipe.rows.length);
      else {
        setLearningRate(learningRate);
        partStep(replica, part, recipe.rows.length);
      }
    }
  } catch (error) {
    // Let go by a worker that failed: that one says why.
    if (error instanceof GroupBroken) return;
    group.break();
    throw error;
  } finally {
    release();
  }
}
