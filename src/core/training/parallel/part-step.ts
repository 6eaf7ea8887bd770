import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { batchTensors, disposeBatch, type BatchArrays } from '../batch';
import { withSharedBatchStatistics } from '../kernels/batch-norm-training';
import { trainingLoss } from '../loss';
import { countCorrect } from '../metrics';
import type { SharedSums } from './shared-sums';
import type { StepFigures } from '../trainer';

/** One worker's copy of the model a data-parallel run trains, and the sums it shares with the others. */
export interface Replica {
  model: LayersModel;
  optimizer: tf.Optimizer;
  variables: tf.Variable[];
  size: number;
  labels: number;
  /** Batch norm's sums. */
  statistics: SharedSums<Float64Array>;
  /** The gradients, then the loss and the right answers. */
  gradients: SharedSums<Float32Array>;
}

/** The values the workers sum each step: every variable's gradient, then the loss and the right answers. */
export function gradientCount(variables: tf.Variable[]): number {
  return variables.reduce((sum, variable) => sum + variable.size, 0) + 2;
}

/**
 * This worker's part of one optimiser step, made by every worker of the run at once: the gradients of
 * the loss over its rows (the loss divided by the whole batch's rows, so that the parts add up to the
 * batch's mean), summed with the others', then the same update of every copy of the model. Returns the
 * whole batch's mean loss and how many of it were classified right.
 */
export function partStep(replica: Replica, part: BatchArrays, wholeRows: number): StepFigures {
  const { optimizer, variables, gradients } = replica;
  // A worker without rows (the batch is one worker's alone, see partOf) adds nothing.
  const total = gradients.sum(part.classes.length === 0 ? new Float32Array(gradientCount(variables)) : partGradients(replica, part, wholeRows));
  const summed: tf.NamedTensorMap = {};
  let offset = 0;
  for (const variable of variables) {
    summed[variable.name] = tf.tensor(total.subarray(offset, offset + variable.size), variable.shape);
    offset += variable.size;
  }
  optimizer.applyGradients(summed);
  tf.dispose(Object.values(summed));
  return { loss: total[offset]!, correct: total[offset + 1]! };
}

/** The gradients, loss and right answers of this worker's rows, laid out as gradientCount() counts them. */
function partGradients(replica: Replica, part: BatchArrays, wholeRows: number): Float32Array {
  const { model, optimizer, variables, statistics } = replica;
  const batch = batchTensors(part, replica.size, replica.labels);
  let predicted: tf.Tensor | null = null;
  const loss = () => trainingLoss(model, batch, wholeRows, (classes) => (predicted = classes));
  // Batch norm over the whole batch, unless this worker has the whole batch.
  const whole = part.classes.length === wholeRows;
  const { value, grads } = whole
    ? optimizer.computeGradients(loss, variables)
    : withSharedBatchStatistics(statistics, () => optimizer.computeGradients(loss, variables));
  try {
    const values = new Float32Array(gradientCount(variables));
    let offset = 0;
    for (const variable of variables) {
      values.set(grads[variable.name]!.dataSync(), offset);
      offset += variable.size;
    }
    values[offset] = value.dataSync()[0]!;
    values[offset + 1] = countCorrect(predicted!.dataSync(), part.classes);
    return values;
  } finally {
    tf.dispose([value, ...Object.values(grads), predicted!]);
    disposeBatch(batch);
  }
}
