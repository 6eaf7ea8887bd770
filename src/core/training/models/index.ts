// The classifiers, as factories: nothing is built until asked, and each call makes a fresh, uncompiled
// model the caller owns (and must dispose). Sizes, class counts and costs are checked here, in core,
// whatever the window or the CLI already checked.

import type { LayersModel } from '@tensorflow/tfjs-layers';
import { WorkbenchError } from '../../../shared/errors';
import { MODEL_NAMES, type ModelName } from '../../../shared/training';
import { buildLayersModel } from './build';
import { ARCHITECTURES, checkShape, type ModelShape } from './catalog';

export { MODEL_NAMES, type ModelName };
export { checkInputSize, modelCost, type ModelShape } from './catalog';
export type { Cost } from './cost';

export interface BuildOptions {
  /** Seeds every initialiser (each layer its own stream): the same seed gives the same weights. */
  seed?: number;
}

/** A new model with a softmax output over `shape.classes`, not compiled. */
export function buildModel(name: ModelName, shape: ModelShape, options: BuildOptions = {}): LayersModel {
  checkShape(name, shape);
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) {
    throw new WorkbenchError('invalid-request', `The seed must be a whole number, not ${options.seed}`, { field: 'seed' });
  }
  return buildLayersModel(ARCHITECTURES[name], name, shape.size, shape.classes, options.seed);
}
