// One model's training, start to end, in TensorFlow.js alone: a hand-written loop (so a cancel lands
// within one batch and every figure is ours to stream) that keeps the best checkpoint by validation
// accuracy and judges it on the test part. What it learns goes to a sink: the run folder when a worker
// thread trains, messages to core when the compute page does (src/compute).

import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { WorkbenchError } from '../../shared/errors';
import type { SplitName } from '../../shared/dataset';
import type { BatchMetrics, ConfusionMatrix, EpochMetrics, SplitMetrics, SplitPredictions, TrainingOptions } from '../../shared/runs';
import { MODEL_WEIGHTS_FILE, type ModelFiles, type TrainingOutcome } from '../../shared/compute';
import { Prng } from '../util/prng';
import { augmentationOf } from './augment';
import { batchTensors, disposeBatch, type Batch } from './batch';
import { makeBatch, trainingRecipe, type BatchRecipe, type CropSource } from './batch-recipe';
import { EVAL_BATCH, evaluateHere, type ChunkFigures } from './evaluation';
import { trainingLoss } from './loss';
import { accuracy, confusionMatrix, countCorrect, perClassMetrics } from './metrics';
import { buildModel } from './models';
import { makeOptimizer, learningRateAt } from './optimizer';

/** A part of a dataset in memory: its crops as raw RGB bytes (batches are converted as they are drawn). */
export interface TrainerSplit {
  /** count x size x size x 3 bytes, crop after crop. */
  pixels: Uint8Array;
  /** Index into `labels` of each crop's class. */
  classes: Int32Array;
  /** Each crop's file in the dataset, so a prediction leads back to its frame and box. */
  files: string[];
  count: number;
}

export interface TrainerData {
  labels: string[];
  size: number;
  splits: Record<SplitName, TrainerSplit>;
}

/** Where a training's figures and models go, as they come. */
export interface TrainerSink {
  /** Every batch's figures; the sink throttles what it streams. */
  batch(metrics: BatchMetrics): void;
  epoch(metrics: EpochMetrics, confusion: ConfusionMatrix, predictions: SplitPredictions): Promise<void>;
  model(which: 'best' | 'last', files: ModelFiles): Promise<void>;
  /** The best checkpoint's figures on the test part. */
  test(epoch: number, confusion: ConfusionMatrix, predictions: SplitPredictions): Promise<void>;
  progress(done: number, total: number, message: string): void;
  log(message: string): void;
}

export interface TrainerHooks {
  signal: AbortSignal;
  /** Lets other work in (a cancel message): training itself never yields to the event loop. */
  pause(): Promise<void>;
  sink: TrainerSink;
}

/**
 * Where a run picks up from another's checkpoint: the weights after `epoch`, and the best checkpoint up to
 * then with its validation figures. The optimiser's state (momentum, Adam's moments) starts afresh.
 */
export interface TrainerResume {
  epoch: number;
  weights: tf.Tensor[];
  best: { epoch: number; weights: tf.Tensor[]; val: SplitMetrics };
}

/**
 * The model's topology and weights as tfjs layers format has them (model.json + weights.bin); `epoch`, the
 * epoch they are from, goes in model.json's userDefinedMetadata (see checkpointEpoch).
 */
export async function modelFiles(model: LayersModel, epoch?: number): Promise<ModelFiles> {
  let files: ModelFiles | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData ?? [];
      files = {
        modelJson: {
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version_core}`,
          convertedBy: null,
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: [MODEL_WEIGHTS_FILE], weights: artifacts.weightSpecs }],
          ...(epoch !== undefined && { userDefinedMetadata: { epoch } }),
        },
        weights: new Uint8Array(tf.io.concatenateArrayBuffers(Array.isArray(data) ? data : [data])),
      };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return files!;
}

/** Steps and evaluations that other workers share (parallel/data-parallel.ts): each takes a part of every batch. */
export interface SharedSteps {
  step(batch: BatchRecipe, learningRate: number): Promise<StepFigures>;
  evaluate(chunk: BatchRecipe): Promise<ChunkFigures>;
  /** Gives the other workers' copies the model's weights as they are now (the best checkpoint's, say). */
  shareWeights(): Promise<void>;
  /** Lets the other workers go. */
  stop(): Promise<void>;
}

/** Starts the workers that share the steps of the model being trained (of `labels` classes), once it is built. */
export type ShareSteps = (
  leader: { model: LayersModel; optimizer: tf.Optimizer; variables: tf.Variable[] },
  crops: CropSource,
  labels: number,
) => Promise<SharedSteps>;

/** A step's mean loss over its batch, and how many of the batch it classified right. */
export interface StepFigures {
  loss: number;
  correct: number;
}

/** The state of one run's training: the model, its best weights so far, and the figures to report. */
export class Trainer {
  private model: LayersModel | null = null;
  private optimizer: tf.Optimizer | null = null;
  private best: { epoch: number; weights: tf.Tensor[]; val: SplitMetrics } | null = null;
  private readonly started = performance.now();

  constructor(
    private readonly options: TrainingOptions,
    private readonly hooks: TrainerHooks,
    /** Starts the workers that share each step (wasm in a worker thread), or null to step alone. */
    private readonly shareSteps: ShareSteps | null = null,
  ) {}

  /** Seconds since the trainer was made. */
  seconds(): number {
    return round((performance.now() - this.started) / 1000, 1);
  }

  /** `resume`: the checkpoint to train on from (its tensors become the trainer's, disposed with it). */
  async train(data: TrainerData, weights: Float32Array | null, resume: TrainerResume | null = null): Promise<TrainingOutcome> {
    const { options } = this;
    const { signal, sink } = this.hooks;
    const model = (this.model = buildModel(options.model, { size: data.size, classes: data.labels.length }, { seed: options.seed }));
    const { optimizer, setLearningRate } = makeOptimizer(options);
    this.optimizer = optimizer;
    const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
    const train = data.splits.train;
    const shuffle = new Prng(options.seed);
    const start = (resume?.epoch ?? 0) + 1;
    if (resume) {
      model.setWeights(resume.weights);
      tf.dispose(resume.weights);
      this.best = resume.best;
      // The batches come in the order the uninterrupted run would have had them.
      for (let epoch = 1; epoch < start; epoch++) permutation(train.count, shuffle);
    }
    // A stream of its own, so turning augmentation off does not change the order batches come in (a
    // resumed run draws afresh from where it starts).
    const augmentRandom = new Prng((options.seed ^ 0x5bd1e995) + start - 1);
    const augmentation = augmentationOf(options);
    const batches = Math.ceil(train.count / options.batchSize);
    let stoppedEarly = false;
    const shape = { size: data.size, labels: data.labels.length };
    const crops: CropSource = { size: data.size, splits: data.splits, classWeights: weights };
    const parallel = this.shareSteps && (await this.shareSteps({ model, optimizer, variables }, crops, shape.labels));
    const step = (batch: BatchRecipe, learningRate: number) =>
      parallel ? parallel.step(batch, learningRate) : trainStep(model, optimizer, variables, batchTensors(makeBatch(batch, crops), shape.size, shape.labels));
    const here = evaluateHere(model, shape);
    const evaluateChunk = parallel ? (chunk: BatchRecipe) => parallel.evaluate(chunk) : (chunk: BatchRecipe) => here(makeBatch(chunk, crops));
    const evaluateSplit = (split: SplitName) => evaluate(split, data, this.hooks, evaluateChunk);

    try {
      for (let epoch = start; epoch <= options.epochs; epoch++) {
        const learningRate = learningRateAt(options, epoch);
        setLearningRate(learningRate);
        const order = permutation(train.count, shuffle);
        let lossSum = 0;
        let correct = 0;
        let trainSeconds = 0;
        for (let batch = 0; batch < batches; batch++) {
          await this.hooks.pause();
          signal.throwIfAborted();
          const rows = order.subarray(batch * options.batchSize, (batch + 1) * options.batchSize);
          const stepStarted = performance.now();
          const figures = await step(trainingRecipe(rows, data.size, augmentation, augmentRandom, weights !== null), learningRate);
          trainSeconds += (performance.now() - stepStarted) / 1000;
          if (!Number.isFinite(figures.loss)) {
            throw new WorkbenchError(
              'diverged',
              `The loss became ${figures.loss} in epoch ${epoch}, batch ${batch + 1}: training diverged. Try a smaller learning rate (now ${learningRate}).`,
              { field: 'learningRate' },
            );
          }
          lossSum += figures.loss * rows.length;
          correct += figures.correct;
          sink.batch({ kind: 'batch', epoch, batch: batch + 1, batches, loss: figures.loss, accuracy: figures.correct / rows.length });
          sink.progress((epoch - 1) * batches + batch + 1, options.epochs * batches, `Epoch ${epoch} of ${options.epochs}, batch ${batch + 1} of ${batches}`);
        }

        const { metrics: val, predictions } = await evaluateSplit('val');
        const metrics: EpochMetrics = {
          kind: 'epoch',
          epoch,
          trainLoss: lossSum / train.count,
          trainAccuracy: correct / train.count,
          valLoss: val.loss,
          valAccuracy: val.accuracy,
          perClass: val.perClass,
          learningRate,
          imagesPerSecond: round(train.count / trainSeconds, 1),
          seconds: this.seconds(),
          tensors: 0,
        };
        const improved = !this.best || val.accuracy > this.best.val.accuracy || (val.accuracy === this.best.val.accuracy && val.loss < this.best.val.loss);
        if (improved) this.keepBest(epoch, val);
        metrics.tensors = tf.memory().numTensors;
        await sink.epoch(metrics, val.confusion, predictions);
        // The checkpoint a run cut off (a cluster's time limit, say) is resumed from; written before the
        // best, so a run cut off between the two never has a best model newer than its checkpoint.
        await sink.model('last', await modelFiles(model, epoch));
        if (improved) await sink.model('best', await modelFiles(model, epoch));
        if (options.patience > 0 && epoch - this.best!.epoch >= options.patience) {
          sink.log(`No better validation accuracy for ${options.patience} epochs: stopping after epoch ${epoch}`);
          stoppedEarly = true;
          break;
        }
      }

      const best = this.best!;
      model.setWeights(best.weights);
      await parallel?.shareWeights();
      const { metrics: test, predictions } = await evaluateSplit('test');
      await sink.test(best.epoch, test.confusion, predictions);
      const { metrics: trainMetrics } = await evaluateSplit('train');
      return { status: stoppedEarly ? 'stopped-early' : 'done', train: trainMetrics, test };
    } finally {
      await parallel?.stop();
    }
  }

  dispose(): void {
    this.model?.dispose();
    this.optimizer?.dispose();
    if (this.best) tf.dispose(this.best.weights);
  }

  private keepBest(epoch: number, val: SplitMetrics): void {
    if (this.best) tf.dispose(this.best.weights);
    this.best = { epoch, val, weights: this.model!.getWeights().map((weight) => tf.keep(weight.clone())) };
  }
}

/**
 * One optimiser step; returns the batch's mean loss and how many it classified right. Disposes the batch.
 * Figures are read back with data(), never dataSync(): WebGPU's synchronous read goes through a canvas,
 * which a headless or hidden page may not have, and fails the device.
 */
export async function trainStep(model: LayersModel, optimizer: tf.Optimizer, variables: tf.Variable[], batch: Batch): Promise<StepFigures> {
  let predicted: tf.Tensor | null = null;
  try {
    const loss = optimizer.minimize(() => trainingLoss(model, batch, batch.classes.length, (classes) => (predicted = classes)), true, variables)!;
    const value = (await loss.data())[0]!;
    loss.dispose();
    return { loss: value, correct: countCorrect(await predicted!.data(), batch.classes) };
  } finally {
    disposeBatch(batch);
    if (predicted) tf.dispose(predicted);
  }
}

/** Loss, accuracy, confusion and per-class figures of a part, and each crop's prediction, a chunk at a time. */
async function evaluate(
  name: SplitName,
  data: TrainerData,
  hooks: TrainerHooks,
  evaluateChunk: (chunk: BatchRecipe) => Promise<ChunkFigures>,
): Promise<{ metrics: SplitMetrics; predictions: SplitPredictions }> {
  const split = data.splits[name];
  const predicted = new Int32Array(split.count);
  const confidence = new Float32Array(split.count);
  let lossSum = 0;
  for (let start = 0; start < split.count; start += EVAL_BATCH) {
    // A large part through a large model takes a while: a cancel must not wait for all of it.
    await hooks.pause();
    hooks.signal.throwIfAborted();
    const rows = Int32Array.from({ length: Math.min(EVAL_BATCH, split.count - start) }, (_, i) => start + i);
    const figures = await evaluateChunk({ split: name, rows, looks: null, weighted: false });
    lossSum += figures.loss;
    predicted.set(figures.predicted, start);
    confidence.set(figures.confidence, start);
  }
  const confusion = confusionMatrix(data.labels, split.classes, predicted);
  return {
    metrics: { loss: lossSum / split.count, accuracy: accuracy(confusion), perClass: perClassMetrics(confusion), confusion },
    predictions: {
      labels: data.labels,
      files: split.files,
      truth: Array.from(split.classes),
      predicted: Array.from(predicted),
      confidence: Array.from(confidence, (value) => round(value, 4)),
    },
  };
}

/** 0..n-1 in a seeded random order (Fisher-Yates). */
function permutation(n: number, random: Prng): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
