// A model in tfjs layers format (model.json's content and weights.bin) back into a LayersModel, from
// memory: core reads the files from a run folder, the compute page receives them over its link.

import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { weightsFileOf, type ModelFiles } from '../../shared/compute';

interface ModelJson {
  modelTopology: object;
  weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }>;
}

/** `file` names model.json in errors. */
export function modelFromFiles({ modelJson, weights }: ModelFiles, file: string): Promise<LayersModel> {
  weightsFileOf(modelJson, file);
  const json = modelJson as ModelJson;
  return loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0]!.weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
    }),
  );
}
