// The settings runs were trained with, as the Train view names them: for the window's run comparison and
// the CLI's list of runs.

import type { RunInfo, TrainingOptions } from './runs';

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
