// One training run, start to end: picks the backend, reads the dataset, trains with a hand-written loop
// (so a cancel lands within one batch and every figure is ours to stream), keeps the best checkpoint by
// validation accuracy, and judges it on the test part. Everything it learns goes to the run folder.

import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { version } from '../../../package.json';
import { WorkbenchError, toErrorData } from '../../shared/errors';
import type { BatchMetrics, EpochMetrics, RunConfig, RunResult, RunSummary, SplitMetrics, SplitPredictions, TrainingOptions } from '../../shared/runs';
import type { JobContext } from '../jobs/job-runner';
import { RunWriter } from '../runs/run-folder';
import { Prng } from '../util/prng';
import { augmentCrop, augmentationOf, type Augmentation } from './augment';
import { useBackend } from './backends';
import { accuracy, confusionMatrix, perClassMetrics } from './metrics';
import { buildModel, checkInputSize, modelCost } from './models';
import { makeOptimizer, learningRateAt } from './optimizer';
import { saveModel } from './save-model';
import { checkBatchSize } from './training-options';
import { loadTrainingData, type SplitData, type TrainingData } from './training-data';

/** Batch figures streamed at most this often; every batch is still written to metrics.jsonl. */
const BATCH_REPORT_MS = 250;
/** Crops per forward pass when evaluating: memory, not learning, sets it. */
const EVAL_BATCH = 128;
/** Clipped like Keras's categorical cross-entropy, so a confident wrong answer costs a finite loss. */
const EPSILON = 1e-7;

export interface TrainRunInput {
  project: string;
  runId: string;
  options: TrainingOptions;
  /** The cores it was given, wasm computing on as many threads; every core when not said. */
  threads?: number;
  /** The sweep it belongs to. */
  group?: string;
}

export async function trainRun(input: TrainRunInput, context: JobContext): Promise<RunResult> {
  const { options } = input;
  const config: RunConfig = {
    schema: 1,
    id: input.runId,
    createdAt: new Date().toISOString(),
    group: input.group ?? null,
    options,
    dataset: null,
    model: null,
    backend: null,
    versions: { maskbench: version, tfjs: tf.version_core, node: process.versions.node },
  };
  const writer = await RunWriter.create(input.project, config);
  const started = performance.now();
  const seconds = () => round((performance.now() - started) / 1000, 1);
  const trainer = new Trainer(writer, options, context, seconds);
  try {
    const backend = await useBackend(options.backend, input.threads);
    context.log(
      `Training on the ${backend.name} backend${backend.threads ? ` on ${backend.threads} threads` : ''}${backend.passedOver.length ? ` (passed over: ${backend.passedOver.join('; ')})` : ''}`,
    );
    await writer.setConfig({ backend });
    const data = await loadTrainingData(input.project, options.dataset, context.signal);
    checkInputSize(options.model, data.size);
    checkBatchSize(options, data.splits.train.count);
    const shape = { size: data.size, classes: data.labels.length };
    const weights = classWeights(data, options);
    await writer.setConfig({
      dataset: {
        name: data.name,
        options: data.manifest.options,
        hash: data.hash,
        size: data.size,
        labels: data.labels,
        counts: data.manifest.counts,
        classWeights: weights && Object.fromEntries(data.labels.map((label, k) => [label, weights[k]!])),
      },
      model: { name: options.model, ...modelCost(options.model, shape) },
    });
    const summary = await trainer.train(data, weights);
    await writer.finish(summary);
    return { runId: input.runId, path: writer.folder, summary, config: writer.config };
  } catch (error) {
    const summary = trainer.summaryAfter(context.signal.aborted ? 'cancelled' : 'failed');
    if (!context.signal.aborted) summary.error = toErrorData(error);
    // The reason the run ended matters more than a failure to record it (a full disk, say).
    await writer.finish(summary).catch((finishError: Error) => context.log(`Could not write ${writer.files.summary}: ${finishError.message}`));
    throw error;
  } finally {
    trainer.dispose();
  }
}

/** The state of one run's training: the model, its best weights so far, and the figures to report. */
class Trainer {
  private model: LayersModel | null = null;
  private optimizer: tf.Optimizer | null = null;
  private best: { epoch: number; weights: tf.Tensor[]; val: SplitMetrics } | null = null;
  private epochsDone = 0;
  private lastBatchReport = -Infinity;

  constructor(
    private readonly writer: RunWriter,
    private readonly options: TrainingOptions,
    private readonly context: JobContext,
    private readonly seconds: () => number,
  ) {}

  async train(data: TrainingData, weights: Float32Array | null): Promise<RunSummary> {
    const { options, context } = this;
    const model = (this.model = buildModel(options.model, { size: data.size, classes: data.labels.length }, { seed: options.seed }));
    const { optimizer, setLearningRate } = makeOptimizer(options);
    this.optimizer = optimizer;
    const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
    const shuffle = new Prng(options.seed);
    // A stream of its own, so turning augmentation off does not change the order batches come in.
    const augmentRandom = new Prng(options.seed ^ 0x5bd1e995);
    const augmentation = augmentationOf(options);
    const train = data.splits.train;
    const batches = Math.ceil(train.count / options.batchSize);
    let stoppedEarly = false;

    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const learningRate = learningRateAt(options, epoch);
      setLearningRate(learningRate);
      const order = permutation(train.count, shuffle);
      let lossSum = 0;
      let correct = 0;
      let trainSeconds = 0;
      for (let batch = 0; batch < batches; batch++) {
        // Let the cancel message in: training itself never yields to the event loop.
        await new Promise((resolve) => setImmediate(resolve));
        context.signal.throwIfAborted();
        const rows = order.subarray(batch * options.batchSize, (batch + 1) * options.batchSize);
        const stepStarted = performance.now();
        const step = trainStep(model, optimizer, variables, batchTensors(train, rows, data, weights, { augmentation, random: augmentRandom }));
        trainSeconds += (performance.now() - stepStarted) / 1000;
        if (!Number.isFinite(step.loss)) {
          throw new WorkbenchError(
            'diverged',
            `The loss became ${step.loss} in epoch ${epoch}, batch ${batch + 1}: training diverged. Try a smaller learning rate (now ${learningRate}).`,
            { field: 'learningRate' },
          );
        }
        lossSum += step.loss * rows.length;
        correct += step.correct;
        this.reportBatch({ kind: 'batch', epoch, batch: batch + 1, batches, loss: step.loss, accuracy: step.correct / rows.length });
        context.progress((epoch - 1) * batches + batch + 1, options.epochs * batches, `Epoch ${epoch} of ${options.epochs}, batch ${batch + 1} of ${batches}`);
      }

      const { metrics: val, predictions } = await evaluate(model, data.splits.val, data, context.signal);
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
      this.epochsDone = epoch;
      const improved = !this.best || val.accuracy > this.best.val.accuracy || (val.accuracy === this.best.val.accuracy && val.loss < this.best.val.loss);
      if (improved) this.keepBest(epoch, val);
      metrics.tensors = tf.memory().numTensors;
      context.report?.(metrics);
      context.report?.({ kind: 'confusion', epoch, split: 'val', confusion: val.confusion });
      await this.writer.recordEpoch(metrics, val.confusion, predictions);
      if (improved) await saveModel(model, this.writer.files.model('best'));
      if (options.patience > 0 && epoch - this.best!.epoch >= options.patience) {
        context.log(`No better validation accuracy for ${options.patience} epochs: stopping after epoch ${epoch}`);
        stoppedEarly = true;
        break;
      }
    }

    await saveModel(model, this.writer.files.model('last'));
    const best = this.best!;
    model.setWeights(best.weights);
    const { metrics: test, predictions } = await evaluate(model, data.splits.test, data, context.signal);
    context.report?.({ kind: 'confusion', epoch: best.epoch, split: 'test', confusion: test.confusion });
    await this.writer.recordTest(best.epoch, test.confusion, predictions);
    const { metrics: trainMetrics } = await evaluate(model, data.splits.train, data, context.signal);
    return { ...this.summaryAfter(stoppedEarly ? 'stopped-early' : 'done'), train: trainMetrics, test };
  }

  /** What is known when the run ends now: the best checkpoint's validation figures, if any. */
  summaryAfter(status: RunSummary['status']): RunSummary {
    return {
      status,
      endedAt: new Date().toISOString(),
      epochs: this.epochsDone,
      bestEpoch: this.best?.epoch ?? null,
      train: null,
      val: this.best?.val ?? null,
      test: null,
      seconds: this.seconds(),
    };
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

  private reportBatch(metrics: BatchMetrics): void {
    this.writer.recordBatch(metrics);
    const now = performance.now();
    if (now - this.lastBatchReport < BATCH_REPORT_MS && metrics.batch !== metrics.batches) return;
    this.lastBatchReport = now;
    this.context.report?.(metrics);
  }
}

interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor2D;
  /** Each example's class weight, or null for an unweighted loss. */
  weights: tf.Tensor1D | null;
  classes: Int32Array;
}

/** One optimiser step; returns the batch's mean loss and how many it classified right. Disposes the batch. */
export function trainStep(model: LayersModel, optimizer: tf.Optimizer, variables: tf.Variable[], batch: Batch): { loss: number; correct: number } {
  let predicted: tf.Tensor | null = null;
  try {
    const loss = optimizer.minimize(
      () => {
        const probabilities = model.apply(batch.x, { training: true }) as tf.Tensor2D;
        predicted = tf.keep(tf.argMax(probabilities, -1));
        const perExample = crossEntropy(batch.y, probabilities);
        return tf.mean(batch.weights ? tf.mul(perExample, batch.weights) : perExample) as tf.Scalar;
      },
      true,
      variables,
    )!;
    const value = loss.dataSync()[0]!;
    loss.dispose();
    return { loss: value, correct: countCorrect(predicted!, batch.classes) };
  } finally {
    tf.dispose([batch.x, batch.y, ...(batch.weights ? [batch.weights] : []), ...(predicted ? [predicted] : [])]);
  }
}

/** Loss, accuracy, confusion and per-class figures of a part, in inference mode (batch norm uses its moving averages). */
async function evaluate(
  model: LayersModel,
  split: SplitData,
  data: TrainingData,
  signal: AbortSignal,
): Promise<{ metrics: SplitMetrics; predictions: SplitPredictions }> {
  const predicted = new Int32Array(split.count);
  const confidence = new Float32Array(split.count);
  let lossSum = 0;
  for (let start = 0; start < split.count; start += EVAL_BATCH) {
    // A large part through a large model takes a while: a cancel must not wait for all of it.
    await new Promise((resolve) => setImmediate(resolve));
    signal.throwIfAborted();
    const rows = Int32Array.from({ length: Math.min(EVAL_BATCH, split.count - start) }, (_, i) => start + i);
    const batch = batchTensors(split, rows, data, null);
    const [loss, classes, highest] = tf.tidy(() => {
      const probabilities = model.apply(batch.x, { training: false }) as tf.Tensor2D;
      return [
        tf.sum(crossEntropy(batch.y, probabilities)).dataSync()[0]!,
        tf.argMax(probabilities, -1).dataSync(),
        tf.max(probabilities, -1).dataSync(),
      ] as const;
    });
    tf.dispose([batch.x, batch.y]);
    lossSum += loss;
    predicted.set(classes, start);
    confidence.set(highest, start);
  }
  const confusion = confusionMatrix(data.labels, split.classes, predicted);
  return {
    metrics: { loss: lossSum / split.count, accuracy: accuracy(confusion), perClass: perClassMetrics(confusion), confusion },
    predictions: {
      labels: data.labels,
      files: Array.from(split.samples, (index) => data.manifest.samples[index]!.file),
      truth: Array.from(split.classes),
      predicted: Array.from(predicted),
      confidence: Array.from(confidence, (value) => round(value, 4)),
    },
  };
}

function crossEntropy(truth: tf.Tensor2D, probabilities: tf.Tensor2D): tf.Tensor1D {
  return tf.neg(tf.sum(tf.mul(truth, tf.log(tf.clipByValue(probabilities, EPSILON, 1 - EPSILON))), -1)) as tf.Tensor1D;
}

function countCorrect(predicted: tf.Tensor, truth: Int32Array): number {
  const values = predicted.dataSync();
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (values[i] === truth[i]) correct++;
  return correct;
}

/** The crops at `rows` of a part as a float batch in [0, 1] (augmented for training), their one-hot labels and loss weights. */
function batchTensors(
  split: SplitData,
  rows: Int32Array,
  data: TrainingData,
  classWeights: Float32Array | null,
  augment?: { augmentation: Augmentation; random: Prng },
): Batch {
  const pixels = data.size * data.size * 3;
  const x = new Float32Array(rows.length * pixels);
  const classes = new Int32Array(rows.length);
  rows.forEach((row, i) => {
    const crop = split.pixels.subarray(row * pixels, (row + 1) * pixels);
    const target = x.subarray(i * pixels, (i + 1) * pixels);
    if (augment) augmentCrop(crop, target, data.size, augment.augmentation, augment.random);
    else for (let p = 0; p < pixels; p++) target[p] = crop[p]! / 255;
    classes[i] = split.classes[row]!;
  });
  return {
    x: tf.tensor4d(x, [rows.length, data.size, data.size, 3]),
    y: tf.tidy(() => tf.oneHot(tf.tensor1d(classes, 'int32'), data.labels.length) as tf.Tensor2D),
    weights: classWeights && tf.tensor1d(Float32Array.from(classes, (k) => classWeights[k]!)),
    classes,
  };
}

/** The dataset's class weights in label order, when the run asks for them and the dataset has them. */
function classWeights(data: TrainingData, options: TrainingOptions): Float32Array | null {
  const weights = data.manifest.classWeights;
  if (!options.classWeights || !weights) return null;
  return Float32Array.from(data.labels, (label) => (Object.hasOwn(weights, label) ? weights[label]! : 1));
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
