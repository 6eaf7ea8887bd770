import { WorkbenchError } from '../../shared/errors';
import type { DatasetOptions } from '../../shared/dataset';

/** What the options' declaration cannot know: that the stride and the gap fit the project's clip. */
export function checkAgainstClip(options: DatasetOptions, frameCount: number, field = 'options'): DatasetOptions {
  const fail = (name: string, expected: string, got: number): never => {
    throw new WorkbenchError('invalid-request', `"${field}.${name}" must be ${expected}, got ${got}`, { field: `${field}.${name}` });
  };
  if (options.stride > Math.max(1, frameCount)) fail('stride', `a whole number from 1 to ${frameCount} (the clip's length)`, options.stride);
  if (options.gap > frameCount) fail('gap', `a whole number of frames from 0 to ${frameCount}`, options.gap);
  return options;
}
