// A run's saved model, from its folder into this process's TensorFlow.js.

import type { LayersModel } from '@tensorflow/tfjs-layers';
import { modelPaths } from '../project/layout';
import { readModelFiles } from './model-files';
import { modelFromFiles } from './model-from-files';

export async function loadModel(folder: string): Promise<LayersModel> {
  return modelFromFiles(await readModelFiles(folder), modelPaths(folder).model);
}
