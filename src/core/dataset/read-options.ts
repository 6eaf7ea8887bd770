// Dataset options arriving from the window, checked field by field (the numbers' ranges are checked by
// validateDatasetOptions, which also serves the CLI).

import { DATASET_DEFAULTS, type DatasetOptions } from '../../shared/dataset';
import { WorkbenchError } from '../../shared/errors';

const CHOICES: Partial<Record<keyof DatasetOptions, readonly string[]>> = {
  splitBy: ['time', 'track', 'random'],
  classes: ['MW,NM,ND', 'MW,NM'],
  ndPolicy: ['merge', 'drop'],
  balance: ['none', 'undersample', 'weights'],
  crop: ['box', 'head'],
};

export function readDatasetOptions(value: unknown): DatasetOptions {
  const given = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const options = { ...DATASET_DEFAULTS } as Record<string, unknown>;
  for (const [key, fallback] of Object.entries(DATASET_DEFAULTS)) {
    const field = given[key];
    if (field === undefined) continue;
    const choices = CHOICES[key as keyof DatasetOptions];
    const ok = choices
      ? typeof field === 'string' && choices.includes(field)
      : Array.isArray(fallback)
        ? Array.isArray(field) && field.length === 3 && field.every((part) => typeof part === 'number')
        : typeof field === typeof fallback;
    if (!ok) throw new WorkbenchError('invalid-request', `options.${key} must be ${choices ? `one of ${choices.join(', ')}` : Array.isArray(fallback) ? 'three numbers' : `a ${typeof fallback}`}`, { field: `options.${key}` });
    options[key] = field;
  }
  for (const key of Object.keys(given)) if (!(key in DATASET_DEFAULTS)) throw new WorkbenchError('invalid-request', `options has an unknown field "${key}"`, { field: `options.${key}` });
  return options as unknown as DatasetOptions;
}
