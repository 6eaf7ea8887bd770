// The classifiers, as factories: nothing is built until asked, and each call makes a fresh, uncompiled
// model the caller owns (and must dispose). Sizes, class counts and costs are checked here, in core,
// whatever the window or the CLI already checked.

import type { LayersModel } from '@tensorflow/tfjs-layers';
import { WorkbenchError } from '../../../shared/errors';
import { MODEL_NAMES, MODELS, isModelName, type ModelName } from '../../../shared/training';
import { buildLayersModel } from './build';
import { convBn } from './conv-bn';
import { countCost, type Cost } from './cost';
import { lenet5 } from './lenet5';
import type { Architecture } from './ops';
import { resnet50 } from './resnet50';
import { simpleConv } from './simple-conv';

export { MODEL_NAMES, type ModelName };
export type { Cost };

export interface ModelShape {
  /** Side of the square RGB input, in pixels. */
  size: number;
  classes: number;
}

export interface BuildOptions {
  /** Seeds every initialiser (each layer its own stream): the same seed gives the same weights. */
  seed?: number;
}

const ARCHITECTURES: Readonly<Record<ModelName, Architecture>> = {
  'simple-conv': simpleConv,
  'conv-bn': convBn,
  lenet5,
  resnet50,
};

/** A new model with a softmax output over `shape.classes`, not compiled. */
export function buildModel(name: ModelName, shape: ModelShape, options: BuildOptions = {}): LayersModel {
  checkShape(name, shape);
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) {
    throw new WorkbenchError('invalid-request', `The seed must be a whole number, not ${options.seed}`, { field: 'seed' });
  }
  return buildLayersModel(ARCHITECTURES[name], name, shape.size, shape.classes, options.seed);
}

/** Weights and forward FLOPs per image (see Cost), counted from the layer specs without building anything. */
export function modelCost(name: ModelName, shape: ModelShape): Cost {
  checkShape(name, shape);
  return countCost(ARCHITECTURES[name], shape.size, shape.classes);
}

/** Throws an invalid-request error naming `model` or `size` unless the model takes square inputs of this size. */
export function checkInputSize(name: ModelName, size: number): void {
  checkName(name);
  const { label, minSize } = MODELS[name];
  if (!Number.isInteger(size)) {
    throw new WorkbenchError('invalid-request', `The input size must be a whole number of pixels, not ${size}`, { field: 'size' });
  }
  if (size < minSize) {
    throw new WorkbenchError('invalid-request', `${label} needs inputs of at least ${minSize} px; ${size} px is too small`, { field: 'size' });
  }
}

function checkShape(name: ModelName, shape: ModelShape): void {
  checkInputSize(name, shape.size);
  if (!Number.isInteger(shape.classes) || shape.classes < 2) {
    throw new WorkbenchError('invalid-request', `A classifier needs at least 2 classes, not ${shape.classes}`, { field: 'classes' });
  }
}

function checkName(name: unknown): asserts name is ModelName {
  if (!isModelName(name)) {
    throw new WorkbenchError('invalid-request', `Unknown model "${String(name)}"; the models are ${MODEL_NAMES.join(', ')}`, { field: 'model' });
  }
}
