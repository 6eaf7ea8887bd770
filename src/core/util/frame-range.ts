// The frames a job works on: `from` to `to` of the clip, the whole clip where they are not given.

import { WorkbenchError } from '../../shared/errors';

/** Frames `from` to `to` (inclusive) of a clip of `frameCount` frames, or an error naming the field at fault. */
export function frameRange(from: number | undefined, to: number | undefined, frameCount: number): { from: number; to: number } {
  const first = from ?? 0;
  const last = to ?? frameCount - 1;
  if (!Number.isInteger(first) || first < 0 || first >= frameCount)
    throw new WorkbenchError('invalid-request', `"from" must be a frame from 0 to ${frameCount - 1}, got ${first}`, { field: 'from' });
  if (!Number.isInteger(last) || last < first || last >= frameCount)
    throw new WorkbenchError('invalid-request', `"to" must be a frame from ${first} to ${frameCount - 1}, got ${last}`, { field: 'to' });
  return { from: first, to: last };
}
