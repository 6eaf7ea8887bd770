// Saves a model in tfjs layers format (model.json + weights.bin) without tfjs-node's file:// handler,
// which is missing on the wasm and cpu backends. The folder is replaced whole, so a reader never sees a
// model.json from one epoch with the weights of another.

import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { writeFileAtomic } from '../fs/atomic-write';
import { replaceWith } from '../fs/replace';
import { MODEL_WEIGHTS_FILE, modelPaths } from '../project/layout';

export async function saveModel(model: LayersModel, folder: string): Promise<void> {
  const staging = join(dirname(folder), `.model.partial-${randomBytes(4).toString('hex')}`);
  await mkdir(staging, { recursive: true });
  try {
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const data = artifacts.weightData ?? [];
        const weights = new Uint8Array(tf.io.concatenateArrayBuffers(Array.isArray(data) ? data : [data]));
        const modelJson = {
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version_core}`,
          convertedBy: null,
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: [MODEL_WEIGHTS_FILE], weights: artifacts.weightSpecs }],
        };
        await writeFileAtomic(modelPaths(staging).weights, weights);
        await writeFileAtomic(modelPaths(staging).model, JSON.stringify(modelJson));
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      }),
    );
    await replaceWith(staging, folder);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
