// A pre-flight check of training options against their dataset, so a run that cannot work is refused
// before it is queued (the options themselves are checked by their declaration in shared/runs).

import { classCoverage, describeUntrained, type DatasetManifest } from '../../shared/dataset';
import { WorkbenchError } from '../../shared/errors';
import type { TrainingOptions } from '../../shared/runs';
import { checkInputSize } from './models/catalog';
import { readManifest } from './training-data';

/** Refuses, with the field named, a run its dataset cannot support; the worker checks the same again. */
export async function preflight(projectDir: string, options: TrainingOptions): Promise<void> {
  const manifest = await readManifest(projectDir, options.dataset);
  checkInputSize(options.model, manifest.options.size);
  checkBatchSize(options, manifest.samples.filter((sample) => sample.split === 'train').length);
  checkClassesTrained(options, manifest);
}

/** A class with no crop to train on is one the model can never predict: refused unless the user says to go on. */
export function checkClassesTrained(options: TrainingOptions, manifest: Pick<DatasetManifest, 'name' | 'labels' | 'counts'>): void {
  const untrained = describeUntrained(classCoverage(manifest.labels, manifest.counts));
  if (untrained === null || options.allowMissingClasses) return;
  throw new WorkbenchError(
    'invalid-dataset',
    `In dataset "${manifest.name}", ${untrained}: a model never predicts a class it has not seen. Rebuild the dataset (another split, more frames, a smaller stride), or set "allowMissingClasses" to train without it`,
    { field: 'allowMissingClasses' },
  );
}

export function checkBatchSize(options: TrainingOptions, trainCrops: number): void {
  if (options.batchSize > trainCrops) {
    throw new WorkbenchError(
      'invalid-request',
      `"batchSize" (${options.batchSize}) is larger than the training set of dataset "${options.dataset}" (${trainCrops} crops)`,
      { field: 'batchSize' },
    );
  }
}
