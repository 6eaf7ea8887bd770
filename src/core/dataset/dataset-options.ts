import { WorkbenchError } from '../../shared/errors';
import type { DatasetOptions } from '../../shared/dataset';

/** Checks every option, naming the one at fault (as its command-line flag). */
export function validateDatasetOptions(options: DatasetOptions, frameCount: number): DatasetOptions {
  const fail = (flag: string, expected: string, got: unknown): never => {
    throw new WorkbenchError('invalid-request', `--${flag} must be ${expected}, got ${JSON.stringify(got)}`, { field: flag });
  };
  const whole = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;
  if (!whole(options.stride, 1, Math.max(1, frameCount))) fail('stride', `a whole number from 1 to ${frameCount} (the clip's length)`, options.stride);
  const [train, val, test] = options.split;
  if (options.split.length !== 3 || options.split.some((part) => !(part >= 0 && part <= 1)) || Math.abs(train + val + test - 1) > 1e-6 || !(train > 0)) {
    fail('split', 'three fractions (train, val, test) that add up to 1, with train above 0', options.split);
  }
  if (!whole(options.gap, 0, frameCount)) fail('gap', `a whole number of frames from 0 to ${frameCount}`, options.gap);
  if (!whole(options.size, 32, 224)) fail('size', 'a whole number of pixels from 32 to 224', options.size);
  if (!(options.headFraction > 0 && options.headFraction <= 1)) fail('head-fraction', 'a fraction above 0 and at most 1', options.headFraction);
  if (!(options.padding >= 0 && options.padding <= 1)) fail('padding', 'a fraction from 0 to 1', options.padding);
  if (!(options.minSize >= 0)) fail('min-size', 'a number of pixels from 0', options.minSize);
  if (!whole(options.seed, 0, 4_294_967_295)) fail('seed', 'a whole number', options.seed);
  return options;
}
