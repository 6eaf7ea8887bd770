// A training run's folder as the run goes: config.json first (so even a run that fails at once says what
// it was), then what the trainer sends, wherever it trains (a worker thread here, or the compute page
// over its link), and summary.json however the run ends. It streams the figures to the job as well.

import type { ModelFiles, TrainingOutcome } from '../../shared/compute';
import { classCoverage, describeFew } from '../../shared/dataset';
import { WorkbenchError, toErrorData } from '../../shared/errors';
import {
  describeBackend,
  inAutoOrder,
  type BackendUsed,
  type BatchMetrics,
  type ConfusionMatrix,
  type EpochMetrics,
  type RunResult,
  type RunSummary,
  type SlurmAllocation,
  type SplitMetrics,
  type SplitPredictions,
  type TrainingOptions,
} from '../../shared/runs';
import type { JobContext } from '../jobs/job-runner';
import { bestCheckpoint, copyHistory, type ResumePoint } from '../runs/checkpoint';
import { RunWriter, newRunConfig } from '../runs/run-folder';
import { checkInputSize, modelCost } from './models/catalog';
import { writeModelFiles } from './model-files';
import { checkBatchSize, checkClassesTrained } from './training-options';
import { loadTrainingData, type TrainingData } from './training-data';
import type { TrainerSink } from './trainer';

/** Batch figures streamed at most this often; every batch is still written to metrics.jsonl. */
const BATCH_REPORT_MS = 250;

export interface RunInput {
  project: string;
  runId: string;
  options: TrainingOptions;
  /** The sweep it belongs to. */
  group?: string;
  /** Why routes faster than the one it takes were passed over, when core chose it (`auto`). */
  passedOver?: string[];
  /** When it was asked for, where that was before it started (a run queued on a cluster). */
  createdAt?: string;
  /** The Slurm job it trains in, on a cluster. */
  slurm?: SlurmAllocation;
  /** The run whose checkpoint it goes on from. */
  resumeFrom?: ResumePoint;
}

export class RunRecorder implements TrainerSink {
  private epochs = 0;
  private lastVal: { epoch: number; val: SplitMetrics } | null = null;
  private best: { epoch: number; val: SplitMetrics } | null = null;
  private lastBatchReport = -Infinity;
  private readonly started = performance.now();

  private constructor(
    private readonly writer: RunWriter,
    private readonly input: RunInput,
    private readonly context: JobContext,
  ) {}

  static async start(input: RunInput, context: JobContext): Promise<RunRecorder> {
    const config = newRunConfig(input.runId, input.options, input.group ?? null, input.createdAt);
    const writer = await RunWriter.create(input.project, {
      ...config,
      ...(input.slurm && { slurm: input.slurm }),
      ...(input.resumeFrom && { resumedFrom: { runId: input.resumeFrom.runId, epoch: input.resumeFrom.epoch } }),
    });
    const recorder = new RunRecorder(writer, input, context);
    if (input.resumeFrom) await recorder.continueFrom(input.resumeFrom);
    return recorder;
  }

  /** Starts where the resumed run's checkpoint is: its figures up to there copied in, its best epoch this run's best so far. */
  private async continueFrom(point: ResumePoint): Promise<void> {
    const lines = await copyHistory(this.input.project, point, this.writer.folder);
    await this.writer.continueMetrics(lines);
    const epochs = lines.filter((line) => line.kind === 'epoch');
    const best = await bestCheckpoint(this.writer.folder);
    if (epochs.length !== point.epoch || best?.epoch !== point.bestEpoch)
      throw new WorkbenchError(
        'invalid-request',
        `Run ${point.runId} did not record every epoch up to its checkpoint (epoch ${point.epoch}): it cannot be resumed`,
        {
          field: 'resumeFrom',
        },
      );
    this.epochs = point.epoch;
    this.best = this.lastVal = best;
    this.context.log(`Resuming run ${point.runId} after epoch ${point.epoch} (its best: epoch ${point.bestEpoch})`);
  }

  /** The checkpoint's best epoch with its validation figures, for the trainer to keep as the best so far. */
  get bestSoFar(): { epoch: number; val: SplitMetrics } | null {
    return this.best;
  }

  /** Runs `train` and records how it ended, whichever way; rethrows its error once recorded. */
  async record(train: () => Promise<TrainingOutcome>): Promise<RunResult> {
    const { context, writer } = this;
    try {
      const outcome = await train();
      const summary = { ...this.summary(outcome.status), train: outcome.train, test: outcome.test };
      await writer.finish(summary);
      return { runId: this.input.runId, path: writer.folder, summary, config: writer.config };
    } catch (error) {
      const summary = this.summary(context.signal.aborted ? 'cancelled' : 'failed');
      if (!context.signal.aborted) summary.error = toErrorData(error);
      // The reason the run ended matters more than a failure to record it (a full disk, say).
      await writer.finish(summary).catch((finishError: Error) => context.log(`Could not write ${writer.files.summary}: ${finishError.message}`));
      throw error;
    }
  }

  /** The backend that trains, once known. */
  get backendName(): string | null {
    return this.writer.config.backend?.name ?? null;
  }

  async setBackend(chosen: BackendUsed): Promise<void> {
    // The route's reasons (the compute page's backends) and the worker's, interleaved in auto's order.
    const backend = { ...chosen, passedOver: inAutoOrder([...(this.input.passedOver ?? []), ...chosen.passedOver]) };
    const passed = backend.passedOver.length ? ` (passed over: ${backend.passedOver.join('; ')})` : '';
    this.context.log(`Training on ${describeBackend(backend)}${passed}${backend.notes ? `; ${backend.notes.join('; ')}` : ''}`);
    await this.writer.setConfig({ backend });
  }

  /** The run's dataset, checked against its options and recorded, with the class weights the loss uses. */
  async loadData(): Promise<{ data: TrainingData; weights: Float32Array | null }> {
    const { options, project } = this.input;
    const data = await loadTrainingData(project, options.dataset, this.context.signal);
    checkInputSize(options.model, data.size);
    checkBatchSize(options, data.splits.train.count);
    checkClassesTrained(options, data.manifest);
    const warnings = describeFew(classCoverage(data.labels, data.manifest.counts));
    for (const warning of warnings) this.context.log(`Dataset ${data.name}: ${warning}`);
    const weights = classWeights(data, options);
    await this.writer.setConfig({
      dataset: {
        name: data.name,
        options: data.manifest.options,
        hash: data.hash,
        size: data.size,
        labels: data.labels,
        counts: data.manifest.counts,
        classWeights: weights && Object.fromEntries(data.labels.map((label, k) => [label, weights[k]!])),
        warnings,
      },
      model: { name: options.model, ...modelCost(options.model, { size: data.size, classes: data.labels.length }) },
    });
    return { data, weights };
  }

  batch(metrics: BatchMetrics): void {
    this.writer.recordBatch(metrics);
    const now = performance.now();
    if (now - this.lastBatchReport < BATCH_REPORT_MS && metrics.batch !== metrics.batches) return;
    this.lastBatchReport = now;
    this.context.report?.(metrics);
  }

  async epoch(metrics: EpochMetrics, confusion: ConfusionMatrix, predictions: SplitPredictions): Promise<void> {
    this.epochs = metrics.epoch;
    this.lastVal = { epoch: metrics.epoch, val: { loss: metrics.valLoss, accuracy: metrics.valAccuracy, perClass: metrics.perClass, confusion } };
    this.context.report?.(metrics);
    this.context.report?.({ kind: 'confusion', epoch: metrics.epoch, split: 'val', confusion });
    await this.writer.recordEpoch(metrics, confusion, predictions);
  }

  /** Where the run's model of each kind is written. */
  modelFolder(which: 'best' | 'last'): string {
    return this.writer.files.model(which);
  }

  /** The best model follows the epoch that made it best. */
  async model(which: 'best' | 'last', files: ModelFiles): Promise<void> {
    if (which === 'best') this.best = this.lastVal;
    await writeModelFiles(this.writer.files.model(which), files);
  }

  async test(epoch: number, confusion: ConfusionMatrix, predictions: SplitPredictions): Promise<void> {
    this.context.report?.({ kind: 'confusion', epoch, split: 'test', confusion });
    await this.writer.recordTest(epoch, confusion, predictions);
  }

  progress(done: number, total: number, message: string): void {
    this.context.progress(done, total, message);
  }

  log(message: string): void {
    this.context.log(message);
  }

  /** What is known when the run ends now: the best checkpoint's validation figures, if any. */
  private summary(status: RunSummary['status']): RunSummary {
    return {
      status,
      endedAt: new Date().toISOString(),
      epochs: this.epochs,
      bestEpoch: this.best?.epoch ?? null,
      train: null,
      val: this.best?.val ?? null,
      test: null,
      seconds: Number(((performance.now() - this.started) / 1000).toFixed(1)),
    };
  }
}

/** The dataset's class weights in label order, when the run asks for them and the dataset has them. */
function classWeights(data: TrainingData, options: TrainingOptions): Float32Array | null {
  const weights = data.manifest.classWeights;
  if (!options.classWeights || !weights) return null;
  return Float32Array.from(data.labels, (label) => (Object.hasOwn(weights, label) ? weights[label]! : 1));
}
