// Turning what runs recorded into chart series and comparison tables: plain functions, tested alone.
import type { EpochMetrics, RunDetails, RunInfo } from '../../../../shared/runs';

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
  setting: string;
  values: string[];
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
  return keys.map((setting) => ({ setting, values: all.map((entry) => String(entry[setting] ?? '–')) })).filter((row) => new Set(row.values).size > 1);
}

/** What a run is called in tables and legends: its name, or its model, start time and the end of its id (runs started in the same minute differ there). */
export function runTitle(run: RunInfo): string {
  return run.name ?? `${run.config.options.model} · ${run.config.createdAt.slice(5, 16).replace('T', ' ')} · ${run.id.slice(-4)}`;
}
