// Reads a model written by writeModelFiles (tfjs layers format) back from its folder, without tfjs-node's file handler.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { WorkbenchError } from '../../shared/errors';
import { readJsonFile } from '../fs/json-file';
import { modelPaths } from '../project/layout';

interface ModelJson {
  modelTopology: object;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
}

export async function loadModel(folder: string): Promise<LayersModel> {
  const file = modelPaths(folder).model;
  const json = (await readJsonFile(file)) as ModelJson | null;
  if (json === null) throw new WorkbenchError('not-found', `The model file ${file} is missing`, { file });
  const manifest = json.weightsManifest[0];
  if (!manifest) throw new WorkbenchError('invalid-request', `${file} lists no weights`, { file });
  const weightsFile = join(folder, manifest.paths[0]!);
  const weights = await readFile(weightsFile).catch(() => {
    throw new WorkbenchError('not-found', `The weights file ${weightsFile} is missing`, { file: weightsFile });
  });
  return loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: manifest.weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
}
