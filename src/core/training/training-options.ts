// A pre-flight check of training options against their dataset, so a run that cannot work is refused
// before it is queued (the options themselves are checked by their declaration in shared/runs).

import { WorkbenchError } from '../../shared/errors';
import type { TrainingOptions } from '../../shared/runs';
import { checkInputSize } from './models/catalog';
import { readManifest } from './training-data';

/** Refuses, with the field named, a run its dataset cannot support; the worker checks the same again. */
export async function preflight(projectDir: string, options: TrainingOptions): Promise<void> {
  const manifest = await readManifest(projectDir, options.dataset);
  checkInputSize(options.model, manifest.options.size);
  checkBatchSize(options, manifest.samples.filter((sample) => sample.split === 'train').length);
}

export function checkBatchSize(options: TrainingOptions, trainCrops: number): void {
  if (options.batchSize > trainCrops) {
    throw new WorkbenchError(
      'invalid-request',
      `The batch size (${options.batchSize}) is larger than the training set of "${options.dataset}" (${trainCrops} crops)`,
      { field: 'batchSize' },
    );
  }
}
