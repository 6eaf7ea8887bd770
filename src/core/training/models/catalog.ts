// What the models cost and which inputs they take, counted from their layer specs: no tfjs here, so the
// process that serves the window can describe models without loading TensorFlow.js (only workers do).

import { WorkbenchError } from '../../../shared/errors';
import { MODEL_NAMES, MODELS, isModelName, type ModelName } from '../../../shared/training';
import { convBn } from './conv-bn';
import { countCost, type Cost } from './cost';
import { lenet5 } from './lenet5';
import type { Architecture } from './ops';
import { resnet50 } from './resnet50';
import { simpleConv } from './simple-conv';

export interface ModelShape {
  /** Side of the square RGB input, in pixels. */
  size: number;
  classes: number;
}

export const ARCHITECTURES: Readonly<Record<ModelName, Architecture>> = {
  'simple-conv': simpleConv,
  'conv-bn': convBn,
  lenet5,
  resnet50,
};

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

export function checkShape(name: ModelName, shape: ModelShape): void {
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
