// Training options from the window or the CLI, checked field by field, and a pre-flight check against
// the dataset, so a run that cannot work is refused before it is queued.

import { WorkbenchError } from '../../shared/errors';
import { BACKEND_CHOICES, TRAINING_DEFAULTS, type TrainingOptions } from '../../shared/runs';
import { MODEL_NAMES } from '../../shared/training';
import { checkInputSize } from './models/catalog';
import { readManifest } from './training-data';

type Rule = { choices: readonly string[] } | { min: number; max: number; integer?: boolean; above?: boolean } | { boolean: true };

const RULES: Record<Exclude<keyof TrainingOptions, 'dataset'>, Rule> = {
  model: { choices: MODEL_NAMES },
  epochs: { min: 1, max: 10_000, integer: true },
  batchSize: { min: 1, max: 4096, integer: true },
  optimizer: { choices: ['sgd', 'adam'] },
  learningRate: { min: 0, max: 10, above: true },
  momentum: { min: 0, max: 0.999 },
  schedule: { choices: ['constant', 'step', 'cosine'] },
  stepEvery: { min: 1, max: 10_000, integer: true },
  stepFactor: { min: 0, max: 1, above: true },
  augmentFlip: { boolean: true },
  augmentShift: { min: 0, max: 0.5 },
  augmentColour: { min: 0, max: 0.9 },
  classWeights: { boolean: true },
  patience: { min: 0, max: 10_000, integer: true },
  seed: { min: 0, max: 2 ** 32 - 1, integer: true },
  backend: { choices: BACKEND_CHOICES },
};

/** Options with the defaults filled in; `prefix` names fields in errors ("options." from the window, "--" from the CLI). */
export function readTrainingOptions(value: unknown, prefix = 'options.', name: (key: string) => string = (key) => key): TrainingOptions {
  const given = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
  const field = (key: string) => `${prefix}${name(key)}`;
  if (typeof given.dataset !== 'string' || given.dataset === '') throw new WorkbenchError('invalid-request', `${field('dataset')} must name a dataset`, { field: field('dataset') });
  const options = { ...TRAINING_DEFAULTS, dataset: given.dataset } as Record<string, unknown>;
  for (const [key, rule] of Object.entries(RULES)) {
    const input = given[key];
    if (input === undefined) continue;
    const problem = check(input, rule);
    if (problem) throw new WorkbenchError('invalid-request', `${field(key)} must be ${problem}, not ${JSON.stringify(input)}`, { field: field(key) });
    options[key] = input;
  }
  for (const key of Object.keys(given)) {
    if (key !== 'dataset' && !(key in RULES)) throw new WorkbenchError('invalid-request', `${field(key)} is not a training option`, { field: field(key) });
  }
  return options as unknown as TrainingOptions;
}

function check(value: unknown, rule: Rule): string | null {
  if ('choices' in rule) return typeof value === 'string' && rule.choices.includes(value) ? null : `one of ${rule.choices.join(', ')}`;
  if ('boolean' in rule) return typeof value === 'boolean' ? null : 'true or false';
  const inRange = typeof value === 'number' && (rule.above ? value > rule.min : value >= rule.min) && value <= rule.max && (!rule.integer || Number.isInteger(value));
  return inRange ? null : `${rule.integer ? 'a whole number' : 'a number'} ${rule.above ? 'above' : 'from'} ${rule.min} ${rule.above ? 'up to' : 'to'} ${rule.max}`;
}

/** Refuses, with the field named, a run its dataset cannot support; the worker checks the same again. */
export async function preflight(projectDir: string, options: TrainingOptions): Promise<void> {
  const manifest = await readManifest(projectDir, options.dataset);
  checkInputSize(options.model, manifest.options.size);
  checkBatchSize(options, manifest.samples.filter((sample) => sample.split === 'train').length);
}

export function checkBatchSize(options: TrainingOptions, trainCrops: number): void {
  if (options.batchSize > trainCrops) {
    throw new WorkbenchError('invalid-request', `The batch size (${options.batchSize}) is larger than the training set of "${options.dataset}" (${trainCrops} crops)`, { field: 'batchSize' });
  }
}
