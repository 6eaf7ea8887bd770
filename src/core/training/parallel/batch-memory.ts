// The shared memory of a data-parallel run: the barrier, the batch (or the chunk to evaluate) that the
// leading worker draws and every worker reads its part of, the command that goes with it, the room for
// the sums, and the leading worker's weights for the other copies of the model to take.

import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { BatchArrays } from '../batch';
import { groupMemory, partOf, sumsMemory, type GroupMemory, type SumsMemory } from './shared-sums';

export type Command = 'step' | 'evaluate' | 'load' | 'stop';

export interface ParallelMemory {
  group: GroupMemory;
  /** float64: the command, the batch's rows, whether it has loss weights, and the learning rate. */
  header: SharedArrayBuffer;
  /** Room for a whole batch or chunk: pixels (float32), classes (int32), loss weights (float32). */
  x: SharedArrayBuffer;
  classes: SharedArrayBuffer;
  weights: SharedArrayBuffer;
  statistics: SumsMemory;
  /** A step's gradients, or a chunk's figures when evaluating. */
  gradients: SumsMemory;
  /** Every weight of the model (batch norm's moving averages among them), end to end, float32. */
  model: SharedArrayBuffer;
}

/** What a data-parallel run shares room for. */
export interface ParallelRoom {
  /** Crops in the largest batch or chunk, and their size in px. */
  rows: number;
  size: number;
  /** Values summed each step (gradientCount), all the model's weights (countParams), and the most channels a batch norm has. */
  gradients: number;
  weights: number;
  channels: number;
}

const COMMANDS: Command[] = ['step', 'evaluate', 'load', 'stop'];

/** Memory for `members` workers. */
export function parallelMemory(members: number, room: ParallelRoom): ParallelMemory {
  const floats = (count: number) => new SharedArrayBuffer(count * Float32Array.BYTES_PER_ELEMENT);
  return {
    group: groupMemory(members),
    header: new SharedArrayBuffer(4 * Float64Array.BYTES_PER_ELEMENT),
    x: floats(room.rows * room.size * room.size * 3),
    classes: new SharedArrayBuffer(room.rows * Int32Array.BYTES_PER_ELEMENT),
    weights: floats(room.rows),
    // The count, then up to four sums per channel (batch norm's backward pass), several times a step.
    statistics: sumsMemory(members, 1 + 4 * room.channels, true, 'every'),
    // Once a step, and as large as the model: on 16 workers, each adding up every slot would cost a ResNet-50
    // 350 million additions a worker a step (22 million a share), and two sets of slots 1.5 GB more.
    gradients: sumsMemory(members, Math.max(room.gradients, chunkValues(room.rows)), false, 'shares'),
    model: floats(room.weights),
  };
}

/** The values summed to evaluate a chunk of `rows` crops: the loss, then each crop's class, then its probability. */
export function chunkValues(rows: number): number {
  return 1 + 2 * rows;
}

/** Written by the leading worker before the others are let through the barrier. */
export function writeCommand(memory: ParallelMemory, command: Command, batch: BatchArrays | null, learningRate: number): void {
  const header = new Float64Array(memory.header);
  header[0] = COMMANDS.indexOf(command);
  header[1] = batch?.classes.length ?? 0;
  header[2] = batch?.weights ? 1 : 0;
  header[3] = learningRate;
  if (!batch) return;
  new Float32Array(memory.x).set(batch.x);
  new Int32Array(memory.classes).set(batch.classes);
  if (batch.weights) new Float32Array(memory.weights).set(batch.weights);
}

/** The command, and the rows of the batch that are worker `rank`'s (an equal share, in order, from row `from`). */
export function readCommand(memory: ParallelMemory, rank: number): { command: Command; rows: number; learningRate: number; from: number; part: BatchArrays } {
  const header = new Float64Array(memory.header);
  const rows = header[1]!;
  const [from, to] = partOf(rows, rank, memory.group.members);
  const pixels = new Float32Array(memory.x).length / new Int32Array(memory.classes).length;
  return {
    command: COMMANDS[header[0]!]!,
    rows,
    learningRate: header[3]!,
    from,
    part: {
      x: new Float32Array(memory.x, from * pixels * Float32Array.BYTES_PER_ELEMENT, (to - from) * pixels),
      classes: new Int32Array(memory.classes, from * Int32Array.BYTES_PER_ELEMENT, to - from),
      weights: header[2] === 1 ? new Float32Array(memory.weights, from * Float32Array.BYTES_PER_ELEMENT, to - from) : null,
    },
  };
}

/** Writes the model's weights into the shared memory, for the other copies to take (setWeightsFrom). */
export function writeWeights(memory: ParallelMemory, model: LayersModel): void {
  let offset = 0;
  for (const weight of model.getWeights()) {
    new Float32Array(memory.model, offset * Float32Array.BYTES_PER_ELEMENT, weight.size).set(weight.dataSync());
    offset += weight.size;
  }
}

/** Gives `model` the weights that writeWeights() wrote from a model of the same build. */
export function setWeightsFrom(model: LayersModel, memory: ParallelMemory): void {
  let offset = 0;
  const weights = model.getWeights().map((weight) => {
    const values = new Float32Array(memory.model, offset * Float32Array.BYTES_PER_ELEMENT, weight.size).slice();
    offset += weight.size;
    return tf.tensor(values, weight.shape);
  });
  model.setWeights(weights);
  tf.dispose(weights);
}
