// Command-line flags read as typed values, with the flag named in every error.

import { WorkbenchError } from '../shared/errors';

export function number(value: string | boolean | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(parsed)) throw new WorkbenchError('invalid-request', `--${flag} must be a number, got "${String(value)}"`, { field: flag });
  return parsed;
}

export function choice<T extends string>(value: string | boolean | undefined, choices: readonly T[], fallback: T, flag: string): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  throw new WorkbenchError('invalid-request', `--${flag} must be one of ${choices.join(', ')}, got "${String(value)}"`, { field: flag });
}
