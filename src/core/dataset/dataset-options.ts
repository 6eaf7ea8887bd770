import { WorkbenchError } from '../../shared/errors';
import type { DatasetOptions, SplitBy } from '../../shared/dataset';

/** What of a project's annotations the options are checked against. */
export interface Clip {
  frameCount: number;
  /** A collection of photos, not a sequence. */
  stills?: boolean;
}

/** How the dataset is split: auto is by image for photos, which have no time order, and by time for a video's frames. */
export function splitByFor(options: Pick<DatasetOptions, 'splitBy'>, clip: Clip): SplitBy {
  if (options.splitBy !== 'auto') return options.splitBy;
  return clip.stills ? 'image' : 'time';
}

/** What the options' declaration cannot know: that the stride and the gap fit the project's clip. */
export function checkAgainstClip(options: DatasetOptions, clip: Clip, field = 'options'): DatasetOptions {
  const fail = (name: string, expected: string, got: number): never => {
    throw new WorkbenchError('invalid-request', `"${field}.${name}" must be ${expected}, got ${got}`, { field: `${field}.${name}` });
  };
  const { frameCount } = clip;
  if (options.stride > Math.max(1, frameCount)) fail('stride', `a whole number from 1 to ${frameCount} (the clip's length)`, options.stride);
  // The gap is between the parts of a time split of a video; other splits, and photos, leave it unused.
  if (splitByFor(options, clip) === 'time' && !clip.stills && options.gap > frameCount)
    fail('gap', `a whole number of frames from 0 to ${frameCount}`, options.gap);
  return options;
}
