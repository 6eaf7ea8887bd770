// One run's training steps shared out over several worker threads, each with its own copy of the model
// and wasm on its own cores (data parallelism): every step, each copy takes an equal part of the batch,
// batch norm's statistics and the gradients are summed over the copies, and every copy makes the same
// update. The run trains as it would on one worker, up to float error, with every core busy in all of its
// work, not only in the kernels that tfjs's threads share out.
//
// The worker that runs the job leads: it draws the batches and the chunks to evaluate (their recipes:
// every worker makes the pixels of its own part), and keeps the figures and the best checkpoint; the
// others (replicas, started by it from the worker script) step and evaluate their parts, and take the
// leader's weights when it shares them.

import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { WorkbenchError } from '../../../shared/errors';
import type { TrainingOptions } from '../../../shared/runs';
import type { BatchArrays } from '../batch';
import { makeBatch, type BatchRecipe, type CropSource } from '../batch-recipe';
import type { SharedSteps, StepFigures } from '../trainer';
import { EVAL_BATCH, type ChunkFigures } from '../evaluation';
import { parallelMemory, readCommand, writeCommand, writeWeights, type Command, type ParallelMemory } from './batch-memory';
import { gradientCount, partEvaluate, partStep, type Replica } from './part-step';
import { Group, GroupBroken, SharedSums } from './shared-sums';

/** A worker's part of a batch is at least this many crops: fewer leave each worker too little to do. */
const MIN_PART = 4;
/**
 * The forward FLOPs per weight that each worker's part of a batch must come to. Every copy of the model
 * also does work per weight, whatever its part (the optimiser's update, XNNPACK packing each layer's
 * weights): where that outweighs the images, threads share it and workers repeat it. Measured on 2 cores:
 * ResNet-50 at 64 px with 4 crops a worker (113 FLOPs a weight) ran at 1.23x to 1.25x one thread on two
 * workers and 1.32x to 1.40x on two threads, with 8 (226) at 1.55x and 1.4x to 1.5x; LeNet-5 at 32 px
 * with 16 (340) at 1.1x and 0.7x; conv-bn at 64 px (1,280) at 1.4x both ways.
 */
const MIN_FLOPS_PER_WEIGHT = 200;

/** How a run's cores are used: `members` workers of `threads` wasm threads each. */
export interface ParallelPlan {
  members: number;
  threads: number;
}

/**
 * As many workers as there are cores while each gets MIN_PART crops of a batch and MIN_FLOPS_PER_WEIGHT
 * of work, the cores shared out among them as threads. `cost`: the model's weights and forward FLOPs per image.
 */
export function parallelPlan(cores: number, batchSize: number, cost: { params: number; flops: number }): ParallelPlan {
  let members = Math.max(1, Math.min(cores, Math.floor(batchSize / MIN_PART)));
  while (members > 1 && (cost.flops * batchSize) / members / cost.params < MIN_FLOPS_PER_WEIGHT) members--;
  return { members, threads: Math.max(1, Math.floor(cores / members)) };
}

/** What a replica is started with: plain data, its memory shared. */
export interface ReplicaInput {
  options: TrainingOptions;
  /** The run's crops: the pixels shared where they lie in a SharedArrayBuffer (loadTrainingData puts them in one), else copied. */
  crops: CropSource;
  labels: number;
  threads: number;
  rank: number;
  memory: ParallelMemory;
}

/**
 * Runs runReplica(input) in a worker thread of its own, resolving when it ends. The worker layer, above
 * the domains, makes it (from the thread's script), so that training does not import it.
 */
export type StartReplica = (input: ReplicaInput) => Promise<void>;

/** The sums of worker `rank`, over `memory`. */
export function replicaSums(memory: ParallelMemory, group: Group): Pick<Replica, 'statistics' | 'gradients'> {
  return { statistics: new SharedSums(group, memory.statistics), gradients: new SharedSums(group, memory.gradients) };
}

export class DataParallel implements SharedSteps {
  private constructor(
    private readonly memory: ParallelMemory,
    private readonly group: Group,
    private readonly replica: Replica,
    private readonly crops: CropSource,
    /** Each replica's end: null, or why it failed. */
    private readonly ended: Promise<unknown>[],
  ) {}

  /**
   * Starts the replicas of the leader's model and waits until each has built its copy, with the leader's
   * weights: a resumed run's are not the seed's.
   */
  static async start(
    startReplica: StartReplica,
    plan: ParallelPlan,
    options: TrainingOptions,
    crops: CropSource,
    labels: number,
    leader: { model: LayersModel; optimizer: tf.Optimizer; variables: tf.Variable[] },
  ): Promise<DataParallel> {
    // No batch norm has more channels than the longest last axis of a weight (its gamma's).
    const channels = Math.max(...leader.variables.map((variable) => variable.shape.at(-1) ?? 1));
    const memory = parallelMemory(plan.members, {
      rows: Math.max(options.batchSize, EVAL_BATCH),
      gradients: gradientCount(leader.variables),
      weights: leader.model.countParams(),
      channels,
    });
    writeWeights(memory, leader.model);
    const group = new Group(memory.group, 0);
    // What a replica needs of the crops, and no more: a run's file names would be copied to each.
    const splits = Object.fromEntries(Object.entries(crops.splits).map(([split, { pixels, classes }]) => [split, { pixels, classes }])) as CropSource['splits'];
    const ended = Array.from({ length: plan.members - 1 }, (_, index) => {
      const input: ReplicaInput = { options, crops: { ...crops, splits }, labels, threads: plan.threads, rank: index + 1, memory };
      return startReplica(input).then(
        () => null,
        (error: unknown) => {
          // A replica that failed before it could say so (its script did not load) must not leave the others waiting.
          group.break();
          return error;
        },
      );
    });
    const parallel = new DataParallel(memory, group, { ...leader, size: crops.size, labels, ...replicaSums(memory, group) }, crops, ended);
    try {
      await group.arriveAsync();
    } catch (error) {
      throw await parallel.failure(error);
    }
    return parallel;
  }

  /** One step of the whole batch, over every worker; returns its mean loss and how many it classified right. */
  step(batch: BatchRecipe, learningRate: number): Promise<StepFigures> {
    return this.command('step', batch, learningRate, (part, _from, rows) => partStep(this.replica, part, rows));
  }

  /** A chunk evaluated over every worker; its figures are copied out, the next command overwrites them. */
  async evaluate(chunk: BatchRecipe): Promise<ChunkFigures> {
    const figures = await this.command('evaluate', chunk, 0, (part, from, rows) => partEvaluate(this.replica, part, from, rows));
    return { loss: figures.loss, predicted: Float32Array.from(figures.predicted), confidence: Float32Array.from(figures.confidence) };
  }

  /** Gives every replica the leader's weights as they are now. */
  shareWeights(): Promise<void> {
    writeWeights(this.memory, this.replica.model);
    // The replicas arrive again once they have them, before the leader writes another command.
    return this.command('load', null, 0, () => this.group.arrive());
  }

  /** Writes a command and makes the leader's part of it, reporting a replica's failure as its own. */
  private async command<T>(command: Command, batch: BatchRecipe | null, learningRate: number, work: (part: BatchArrays, from: number, rows: number) => T) {
    try {
      writeCommand(this.memory, command, batch, learningRate);
      this.group.arrive();
      const { recipe, from, to } = readCommand(this.memory, 0);
      return work(makeBatch(recipe, this.crops, from, to), from, recipe.rows.length);
    } catch (error) {
      throw await this.failure(error);
    }
  }

  /** Lets the replicas go and waits for their ends. */
  async stop(): Promise<void> {
    if (!this.group.broken) {
      writeCommand(this.memory, 'stop', null, 0);
      try {
        this.group.arrive();
      } catch (error) {
        // A replica failed after the last step: it has said why, and the run's outcome stands.
        if (!(error instanceof GroupBroken)) throw error;
      }
    }
    await Promise.all(this.ended);
  }

  /** The error to report for `error`: a replica's own reason when one failed, else `error`, the replicas told to stop. */
  private async failure(error: unknown): Promise<unknown> {
    if (!(error instanceof GroupBroken)) {
      this.group.break();
      return error;
    }
    // Only the replica that failed ends with an error: the others, let go, end quietly.
    const reasons = await Promise.all(this.ended);
    const rank = reasons.findIndex((reason) => reason !== null);
    const which = rank < 0 ? 'A worker' : `Worker ${rank + 2}`;
    const why = rank < 0 ? 'it stopped without a reason' : (reasons[rank] as Error).message;
    return new WorkbenchError('internal', `${which} of the ${this.group.members} that share this run's steps failed: ${why}`);
  }
}
