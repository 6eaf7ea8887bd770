// The strip of crops the Review panel shows for a queue entry: some of its boxes, cut as the run's dataset
// cut its crops, so a reviewer sees the stretch at a glance rather than frame by frame.

import type { EntryCrop } from '../../shared/review';
import type { RunInfo } from '../../shared/runs';
import { cropBox } from './box-crop';
import type { ProjectSource } from './predict-project';
import { datasetOf } from './prediction-files';

/** Track `trackId`'s box on each of `frames`, in that order, from the project as the caller holds it. */
export async function entryCrops(source: ProjectSource, run: RunInfo, trackId: number, frames: number[], signal?: AbortSignal): Promise<EntryCrop[]> {
  const dataset = datasetOf(run);
  const crops: EntryCrop[] = [];
  // One after another: each decodes its frame, and a strip is a few frames.
  for (const frame of frames) {
    signal?.throwIfAborted();
    crops.push({ frame, crop: (await cropBox(source, dataset, frame, trackId)).png });
  }
  return crops;
}
