// Turning what runs recorded into chart series and comparison tables: plain functions, tested alone.
import type { EpochMetrics, RunDetails, RunInfo, TrainingOptions } from '../../../../shared/runs';
import { SPLIT_COLOURS } from '../../theme';

export interface ChartSeries {
  id: string;
  label: string;
  colour: string;
  points: Array<{ x: number; y: number }>;
  /** Drawn thin and faint, for noisy figures such as batch loss. */
  faint?: boolean;
}

export type EpochMetric = 'trainLoss' | 'valLoss' | 'trainAccuracy' | 'valAccuracy';
export type XAxis = 'epoch' | 'time';

export const METRIC_LABELS: Record<EpochMetric, string> = {
  trainAccuracy: 'train accuracy',
  valAccuracy: 'validation accuracy',
  trainLoss: 'train loss',
  valLoss: 'validation loss',
};

export function epochsOf(details: RunDetails): EpochMetrics[] {
  return details.history.filter((line): line is EpochMetrics => line.kind === 'epoch');
}

/** One point per epoch: x is the epoch number, or seconds since the run started. */
export function epochSeries(details: RunDetails, metric: EpochMetric, x: XAxis = 'epoch'): Array<{ x: number; y: number }> {
  return epochsOf(details).map((epoch) => ({ x: x === 'epoch' ? epoch.epoch : epoch.seconds, y: epoch[metric] }));
}

/**
 * One run's loss and accuracy curves, as the Train view draws them live and the Runs view from the
 * run's files: train and validation each in its own colour, the same in both charts and both views.
 */
export function runCurves(epochs: readonly EpochMetrics[], batchLoss: Array<{ x: number; y: number }>): { loss: ChartSeries[]; accuracy: ChartSeries[] } {
  const perEpoch = (metric: EpochMetric) => epochs.map((epoch) => ({ x: epoch.epoch, y: epoch[metric] }));
  return {
    loss: [
      { id: 'batch', label: 'batch loss (smoothed)', colour: SPLIT_COLOURS.train, points: batchLoss, faint: true },
      { id: 'train', label: 'train loss', colour: SPLIT_COLOURS.train, points: perEpoch('trainLoss') },
      { id: 'val', label: 'validation loss', colour: SPLIT_COLOURS.val, points: perEpoch('valLoss') },
    ],
    accuracy: [
      { id: 'train', label: 'train accuracy', colour: SPLIT_COLOURS.train, points: perEpoch('trainAccuracy') },
      { id: 'val', label: 'validation accuracy', colour: SPLIT_COLOURS.val, points: perEpoch('valAccuracy') },
    ],
  };
}

/** Batch loss smoothed by an exponential moving average, at fractional epochs (batch 5 of 10 in epoch 2 is 1.5). */
export function smoothedBatchLoss(details: RunDetails, weight = 0.9): Array<{ x: number; y: number }> {
  let average: number | null = null;
  return details.history.flatMap((line) => {
    if (line.kind !== 'batch') return [];
    average = average === null ? line.loss : weight * average + (1 - weight) * line.loss;
    return [{ x: line.epoch - 1 + line.batch / line.batches, y: average }];
  });
}

export interface SettingRow {
  /** The option's key, or what the run recorded besides its options. */
  setting: string;
  /** The setting as the Train view names it. */
  name: string;
  values: string[];
}

/** Each training option as the Train view names it (every option must have one). */
const SETTING_NAMES: Record<keyof TrainingOptions, string> = {
  dataset: 'dataset',
  model: 'model',
  epochs: 'epochs',
  batchSize: 'batch size',
  optimizer: 'optimizer',
  learningRate: 'learning rate',
  momentum: 'momentum',
  schedule: 'learning-rate schedule',
  stepEvery: 'step every (epochs)',
  stepFactor: 'step: multiply by',
  augmentFlip: 'augment: mirror',
  augmentShift: 'augment: shift',
  augmentColour: 'augment: colour',
  classWeights: 'weight the loss by class',
  allowMissingClasses: 'train without a class',
  patience: 'early stop after (epochs)',
  seed: 'seed',
  backend: 'backend chosen',
};

/** A setting as the Train view names it; what a run records besides its options keeps its own words. */
export function settingName(key: string): string {
  return key in SETTING_NAMES ? SETTING_NAMES[key as keyof TrainingOptions] : key;
}

/** The settings in which the runs differ, one row each, values in the runs' order. */
export function settingsDiff(runs: RunInfo[]): SettingRow[] {
  const settings = (run: RunInfo): Record<string, unknown> => ({
    ...run.config.options,
    'dataset content': run.config.dataset?.hash.slice(0, 12) ?? '–',
    'crop size': run.config.dataset?.size ?? '–',
    'backend used': run.config.backend?.name ?? '–',
  });
  const all = runs.map(settings);
  const keys = [...new Set(all.flatMap((entry) => Object.keys(entry)))];
  return keys
    .map((setting) => ({ setting, name: settingName(setting), values: all.map((entry) => String(entry[setting] ?? '–')) }))
    .filter((row) => new Set(row.values).size > 1);
}
