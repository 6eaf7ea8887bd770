import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { batchTensors, disposeBatch, type BatchArrays } from '../batch';
import { chunkTensors, type ChunkFigures } from '../evaluation';
import { withSharedBatchStatistics } from '../kernels/batch-norm-training';
import { heapView } from '../kernels/wasm-util';
import { trainingLoss } from '../loss';
import { countCorrect } from '../metrics';
import { chunkValues } from './batch-memory';
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
  /** The gradients, then the loss and the right answers; or a chunk's figures (partEvaluate). */
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
  const count = gradientCount(variables);
  // A worker without rows (the batch is one worker's alone, see partOf) adds nothing.
  if (part.classes.length === 0) gradients.slot(count).fill(0);
  else partGradients(replica, part, wholeRows, gradients.slot(count));
  const total = gradients.sumSlots(count);
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

/**
 * This worker's part of evaluating a chunk of `wholeRows` crops (its own from row `from`), made by every
 * worker at once: each writes its crops' figures, zeros elsewhere, and the sum is the whole chunk's.
 * The figures lie in shared memory until the next sum.
 */
export function partEvaluate(replica: Replica, part: BatchArrays, from: number, wholeRows: number): ChunkFigures {
  const count = chunkValues(wholeRows);
  const values = replica.gradients.slot(count).fill(0);
  if (part.classes.length > 0) {
    const batch = batchTensors(part, replica.size, replica.labels);
    const tensors = chunkTensors(replica.model, batch);
    disposeBatch(batch);
    const [loss, predicted, confidence] = tensors.map((tensor) => tensor.dataSync());
    tf.dispose(tensors);
    values[0] = loss![0]!;
    values.set(predicted!, 1 + from);
    values.set(confidence!, 1 + wholeRows + from);
  }
  const total = replica.gradients.sumSlots(count);
  return { loss: total[0]!, predicted: total.subarray(1, 1 + wholeRows), confidence: total.subarray(1 + wholeRows, count) };
}

/** Writes the gradients, loss and right answers of this worker's rows into `values`, laid out as gradientCount() counts them. */
function partGradients(replica: Replica, part: BatchArrays, wholeRows: number, values: Float32Array): void {
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
    let offset = 0;
    for (const variable of variables) {
      values.set(valuesOf(grads[variable.name]!), offset);
      offset += variable.size;
    }
    values[offset] = value.dataSync()[0]!;
    values[offset + 1] = countCorrect(predicted!.dataSync(), part.classes);
  } finally {
    tf.dispose([value, ...Object.values(grads), predicted!]);
    disposeBatch(batch);
  }
}

/**
 * A float32 tensor's values where they lie, in wasm's heap (a replica's backend), read before the tensor
 * is freed; elsewhere a copy. dataSync's copy is a new array a gradient, and a model's worth of them a
 * step costs its pages' faults as well.
 */
function valuesOf(tensor: tf.Tensor): Float32Array {
  return tf.getBackend() === 'wasm' ? heapView(tf.backend() as BackendWasm, tensor) : (tensor.dataSync() as Float32Array);
}
