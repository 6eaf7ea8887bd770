// Training runs: what a user asks for, what streams while it trains, and what its run folder records.

import type { ClusterJob, SlurmRecord } from './cluster';
import type { WorkbenchErrorData } from './errors';
import type { DatasetOptions } from './dataset';
import { MODEL_NAMES, type HostBackendName, type ModelName, type TrainingBackendName } from './training';
import { decimal, fields, flag, oneOf, read, text, v, whole, type Output } from './schema';

export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'webgl', 'wasm', 'cpu'] as const satisfies readonly (
  'auto' | TrainingBackendName | HostBackendName
)[];
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** A training run's settings, each option's type, range and default declared once; the dataset is named by the caller. */
export const trainingSettingsSchema = fields({
  model: v.optional(oneOf(MODEL_NAMES), 'conv-bn'),
  epochs: v.optional(whole(1, 10_000), 30),
  batchSize: v.optional(whole(1, 4096), 32),
  optimizer: v.optional(oneOf(['sgd', 'adam']), 'sgd'),
  learningRate: v.optional(decimal(0, 10, { above: true }), 0.01),
  /** For SGD only (the study's 0.9). */
  momentum: v.optional(decimal(0, 0.999), 0.9),
  /** 'step' multiplies the rate by `stepFactor` every `stepEvery` epochs; 'cosine' anneals it to 0 over the run. */
  schedule: v.optional(oneOf(['constant', 'step', 'cosine']), 'constant'),
  stepEvery: v.optional(whole(1, 10_000), 10),
  stepFactor: v.optional(decimal(0, 1, { above: true }), 0.1),
  /** Augmentation drawn afresh for every crop in every epoch: mirror half, shift by up to this fraction, jitter colour by up to this fraction. */
  augmentFlip: v.optional(flag(), true),
  augmentShift: v.optional(decimal(0, 0.5), 0.1),
  augmentColour: v.optional(decimal(0, 0.9), 0.2),
  /** Weight the loss by the dataset's class weights (when it was built with balance 'weights'). */
  classWeights: v.optional(flag(), true),
  /** Train even when a class has no crops in the train part (refused otherwise): the model will never predict it. */
  allowMissingClasses: v.optional(flag(), false),
  /** Stop after this many epochs without a better validation accuracy; 0 trains every epoch. */
  patience: v.optional(whole(0, 10_000), 0),
  seed: v.optional(whole(0, 2 ** 32 - 1), 1),
  backend: v.optional(oneOf(BACKEND_CHOICES), 'auto'),
});

/** Training options: the settings and the dataset (its folder under datasets/). */
export const trainingOptionsSchema = fields({ ...trainingSettingsSchema.entries, dataset: text('the name of a dataset') });

export type TrainingOptions = Output<typeof trainingOptionsSchema>;
export type OptimizerName = TrainingOptions['optimizer'];
export type ScheduleName = TrainingOptions['schedule'];

export const TRAINING_DEFAULTS: Omit<TrainingOptions, 'dataset'> = read(trainingSettingsSchema, {});

/** Rows are the true class and columns the predicted one, both in `labels` order. */
export interface ConfusionMatrix {
  labels: string[];
  matrix: number[][];
}

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** How many examples truly have this label. */
  support: number;
}

/** Loss, accuracy and per-class figures of one part of the dataset. */
export interface SplitMetrics {
  loss: number;
  accuracy: number;
  perClass: ClassMetrics[];
  confusion: ConfusionMatrix;
}

/** predictions/<epoch-NNN|test>.json: what the model said of each crop of a part, in the part's order. */
export interface SplitPredictions {
  labels: string[];
  /** Crop files, relative to the dataset folder. */
  files: string[];
  /** Index into `labels` of each crop's label when the run was trained, and of the model's prediction. */
  truth: number[];
  predicted: number[];
  /** The probability the model gave its prediction. */
  confidence: number[];
}

/** A crop behind a confusion-matrix cell, with what it leads back to. */
export interface CellCrop {
  /** Absolute path of the crop. */
  path: string;
  frame: number;
  trackId: number;
  truth: string;
  predicted: string;
  confidence: number;
}

export interface BatchMetrics {
  kind: 'batch';
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
}

export interface EpochMetrics {
  kind: 'epoch';
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
  perClass: ClassMetrics[];
  learningRate: number;
  /** Training images per second in this epoch (validation not counted). */
  imagesPerSecond: number;
  /** Since the run started. */
  seconds: number;
  /** Tensors alive at the epoch's end: the same every epoch, or something leaks. */
  tensors: number;
}

/** What a training job streams besides progress. Batch metrics are throttled to a few a second. */
export type TrainingReport = BatchMetrics | EpochMetrics | { kind: 'confusion'; epoch: number; split: 'val' | 'test'; confusion: ConfusionMatrix };

export interface BackendUsed {
  name: TrainingBackendName | HostBackendName;
  requested: BackendChoice;
  /** Why each faster backend was not used, e.g. "tensorflow: @tensorflow/tfjs-node is not installed", in auto's order. */
  passedOver: string[];
  /** Why the backend used runs short of its best (fewer threads than cores, say), where it does. */
  notes?: string[];
  /** The threads it computed on (each worker's, with `workers`); null where the backend chooses itself (tfjs-node) or runs on a GPU. */
  threads: number | null;
  /** Worker threads that each trained a copy of the model on a part of every batch (wasm), where more than one. */
  workers?: number;
  /** The GPU that ran it, as the browser names it (webgpu and webgl): "nvidia ampere", "Google SwiftShader (software)". */
  device?: string;
}

/** Reasons that start with a backend's name ("webgl: ..."), in auto's order of those backends. */
export function inAutoOrder(reasons: readonly string[]): string[] {
  const rank = (reason: string) => BACKEND_CHOICES.indexOf(reason.slice(0, reason.indexOf(':')) as BackendChoice);
  return [...reasons].sort((a, b) => rank(a) - rank(b));
}

/**
 * "wasm on 2 threads", "wasm on 2 workers of 1 thread", "webgpu on nvidia ampere": the backend as a person
 * reads it, or "–" before one was chosen.
 */
export function describeBackend(backend: BackendUsed | null): string {
  if (!backend) return '–';
  if (backend.device) return `${backend.name} on ${backend.device}`;
  if (backend.threads === null) return backend.name;
  const threads = `${backend.threads} thread${backend.threads === 1 ? '' : 's'}`;
  return backend.workers ? `${backend.name} on ${backend.workers} workers of ${threads}` : `${backend.name} on ${threads}`;
}

export interface DatasetUsed {
  name: string;
  /** How its crops were cut: predictions on a project's boxes cut them the same way. */
  options: DatasetOptions;
  /** sha256 of its manifest and every crop: two runs with the same hash trained on the same pixels. */
  hash: string;
  size: number;
  labels: string[];
  counts: Record<'train' | 'val' | 'test', Record<string, number>>;
  /** The weights the loss used, or null when it was unweighted. */
  classWeights: Record<string, number> | null;
  /** Parts too thin to learn or judge a class from (shared/dataset.ts describeFew); absent in runs from before. */
  warnings?: string[];
}

/** A run's group: a sweep's name, or `<run id>-cross-fit` for a cross-fit's folds. */
export const runGroupSchema = v.pipe(v.string('a group'), v.regex(/^[\w-]{1,80}$/, '1 to 80 letters, digits, - or _'));

/** config.json: everything needed to train the same run again. */
export interface RunConfig {
  schema: 1;
  id: string;
  createdAt: string;
  /** The sweep or cross-fit it belongs to, if any. */
  group: string | null;
  options: TrainingOptions;
  /** The rest is filled in as the run starts; a run that failed before that leaves them null. */
  dataset: DatasetUsed | null;
  /** `params` counts every weight (batch norm's moving statistics too), `trainableParams` what the optimiser changes. */
  model: { name: ModelName; params: number; trainableParams: number; flops: number } | null;
  backend: BackendUsed | null;
  versions: { maskbench: string; tfjs: string; node: string };
  /** The Slurm job that trained it and what it was given, for a run on a cluster. */
  slurm?: SlurmAllocation;
  /** The run whose checkpoint it started from (after that run's `epoch`), for a resumed run. */
  resumedFrom?: { runId: string; epoch: number };
}

/** What a Slurm job was given, as its environment says on the node. */
export interface SlurmAllocation {
  jobId: string;
  node: string;
  cpus: number | null;
  gpus: string | null;
  memoryMb: number | null;
  partition: string | null;
}

/** 'queued': waiting on a cluster for its job to start. */
export type RunStatus = 'queued' | 'running' | 'done' | 'stopped-early' | 'failed' | 'cancelled' | 'interrupted';

/** summary.json, written when a run ends whichever way. */
export interface RunSummary {
  status: Exclude<RunStatus, 'queued' | 'running' | 'interrupted'>;
  endedAt: string;
  epochs: number;
  bestEpoch: number | null;
  /** The best checkpoint's figures on each part (train without augmentation, as evaluated after training). */
  train: SplitMetrics | null;
  val: SplitMetrics | null;
  test: SplitMetrics | null;
  seconds: number;
  error?: WorkbenchErrorData;
}

/** meta.json: what the user calls a run and how they file it; the only file of a run they edit. */
export interface RunMeta {
  name: string | null;
  tags: string[];
}

/** A run as listed: its config, how it ended (or that it is still running or was cut off). */
export interface RunInfo extends RunMeta {
  id: string;
  path: string;
  status: RunStatus;
  config: RunConfig;
  summary: RunSummary | null;
  /** Epochs recorded in metrics.jsonl so far. */
  epochs: number;
  /** For a run sent to a Slurm cluster: its job as submitted, and as the cluster last said (while it has not ended). */
  slurm?: SlurmRecord;
  cluster?: ClusterJob;
}

export interface RunConfusion {
  epoch: number;
  split: 'val' | 'test';
  confusion: ConfusionMatrix;
}

/** Everything a run recorded, for its charts and confusion matrices. */
export interface RunDetails {
  run: RunInfo;
  /** metrics.jsonl, batch and epoch lines in order. */
  history: Array<BatchMetrics | EpochMetrics>;
  /** The validation matrix of every epoch, then the test matrix of the best checkpoint. */
  confusions: RunConfusion[];
}

/** What a training run ends with. */
export interface RunResult {
  runId: string;
  path: string;
  summary: RunSummary;
  config: RunConfig;
}

/**
 * What a run is called in tables, legends and job titles: its name, or its model, start time and the end
 * of its id (runs started in the same minute differ there).
 */
export function runTitle(run: Pick<RunInfo, 'id' | 'name' | 'config'>): string {
  return run.name ?? `${run.config.options.model} · ${run.config.createdAt.slice(5, 16).replace('T', ' ')} · ${run.id.slice(-4)}`;
}
