// Turning what runs recorded into chart series (their settings side by side: shared/run-settings.ts): plain functions, tested alone.
import type { EpochMetrics, RunDetails } from '../../../../shared/runs';
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
