// The shared memory of a data-parallel run: the barrier, the recipe of the batch (or the chunk to
// evaluate) that the leading worker draws and every worker makes its part of, the command that goes
// with it, the room for the sums, and the leading worker's weights for the other copies of the model to take.

import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { SPLITS } from '../../../shared/dataset';
import type { CropLook } from '../augment';
import type { BatchRecipe } from '../batch-recipe';
import { groupMemory, partOf, sumsMemory, type GroupMemory, type SumsMemory } from './shared-sums';

export type Command = 'step' | 'evaluate' | 'load' | 'stop';

export interface ParallelMemory {
  group: GroupMemory;
  /** float64: the command, the batch's rows, whether its loss is weighted, the learning rate, the dataset's part (train, val, test) it is drawn from, whether it has looks. */
  header: SharedArrayBuffer;
  /** Room for a whole batch's or chunk's recipe: its rows (int32) and their looks (LOOK_VALUES float64 each). */
  rows: SharedArrayBuffer;
  looks: SharedArrayBuffer;
  statistics: SumsMemory;
  /** A step's gradients, or a chunk's figures when evaluating. */
  gradients: SumsMemory;
  /** Every weight of the model (batch norm's moving averages among them), end to end, float32. */
  model: SharedArrayBuffer;
}

/** What a data-parallel run shares room for. */
export interface ParallelRoom {
  /** Crops in the largest batch or chunk. */
  rows: number;
  /** Values summed each step (gradientCount), all the model's weights (countParams), and the most channels a batch norm has. */
  gradients: number;
  weights: number;
  channels: number;
}

const COMMANDS: Command[] = ['step', 'evaluate', 'load', 'stop'];
/** A look as numbers: whether mirrored, dx, dy, contrast, brightness, and the three gains. */
const LOOK_VALUES = 8;

/** Memory for `members` workers. */
export function parallelMemory(members: number, room: ParallelRoom): ParallelMemory {
  const floats = (count: number) => new SharedArrayBuffer(count * Float32Array.BYTES_PER_ELEMENT);
  return {
    group: groupMemory(members),
    header: new SharedArrayBuffer(6 * Float64Array.BYTES_PER_ELEMENT),
    rows: new SharedArrayBuffer(room.rows * Int32Array.BYTES_PER_ELEMENT),
    looks: new SharedArrayBuffer(room.rows * LOOK_VALUES * Float64Array.BYTES_PER_ELEMENT),
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
export function writeCommand(memory: ParallelMemory, command: Command, batch: BatchRecipe | null, learningRate: number): void {
  const header = new Float64Array(memory.header);
  header[0] = COMMANDS.indexOf(command);
  header[1] = batch?.rows.length ?? 0;
  header[2] = batch?.weighted ? 1 : 0;
  header[3] = learningRate;
  header[4] = SPLITS.indexOf(batch?.split ?? 'train');
  header[5] = batch?.looks ? 1 : 0;
  if (!batch) return;
  new Int32Array(memory.rows).set(batch.rows);
  const looks = new Float64Array(memory.looks);
  batch.looks?.forEach(({ flip, dx, dy, contrast, brightness, gains }, row) =>
    looks.set([flip ? 1 : 0, dx, dy, contrast, brightness, ...gains], row * LOOK_VALUES),
  );
}

/** The command and the batch's recipe, and the rows [from, to) of it that are worker `rank`'s (an equal share, in order). */
export function readCommand(memory: ParallelMemory, rank: number): { command: Command; learningRate: number; recipe: BatchRecipe; from: number; to: number } {
  const header = new Float64Array(memory.header);
  const rows = header[1]!;
  const [from, to] = partOf(rows, rank, memory.group.members);
  const looks = new Float64Array(memory.looks);
  const look = (row: number): CropLook => {
    const [flip, dx, dy, contrast, brightness, ...gains] = looks.subarray(row * LOOK_VALUES, (row + 1) * LOOK_VALUES);
    return { flip: flip === 1, dx: dx!, dy: dy!, contrast: contrast!, brightness: brightness!, gains: gains as [number, number, number] };
  };
  return {
    command: COMMANDS[header[0]!]!,
    learningRate: header[3]!,
    recipe: {
      split: SPLITS[header[4]!]!,
      rows: new Int32Array(memory.rows, 0, rows),
      looks: header[5] === 1 ? Array.from({ length: rows }, (_, row) => look(row)) : null,
      weighted: header[2] === 1,
    },
    from,
    to,
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
