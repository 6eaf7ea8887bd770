// tf.layers' batch norm, trained through batchNormTraining where the backend has its kernels (wasm): one
// kernel forward and one backward in place of some sixty, with the same outputs, gradients and moving
// averages. Inference, other backends and saved models are tf.layers' own: the class keeps its name.

import * as tf from '@tensorflow/tfjs-core';
// Registers tf.layers' classes, BatchNormalization among them, before this module looks it up.
import '@tensorflow/tfjs-layers';
import type { BatchNormalization as TfBatchNormalization } from '@tensorflow/tfjs-layers/dist/layers/normalization';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';
import type { LayerVariable } from '@tensorflow/tfjs-layers/dist/variables';
import { batchNormTraining, hasBatchNormTraining } from '../kernels/batch-norm-training-op';

/** tf.layers' class, which the package exports only by its registered name. */
const BatchNormalization = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization![0] as unknown as typeof TfBatchNormalization;

/** What tf.layers' BatchNormalization keeps in fields that its typings call private. */
interface BatchNormalizationFields {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: LayerVariable;
  beta?: LayerVariable;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

export class FusedBatchNormalization extends BatchNormalization {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const { axis, momentum, epsilon, gamma, beta, movingMean, movingVariance } = this as unknown as BatchNormalizationFields;
    const lastAxis = axis === -1 || axis === x.rank - 1;
    if (!kwargs.training || !lastAxis || !gamma || !beta || x.dtype !== 'float32' || !hasBatchNormTraining()) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const [y, mean, variance] = batchNormTraining(x, gamma.read(), beta.read(), epsilon);
      // As tf.layers updates them: moving -= (moving - batch) * (1 - momentum).
      for (const [moving, value] of [
        [movingMean, mean],
        [movingVariance, variance],
      ] as const) {
        tf.tidy(() => {
          moving.write(tf.sub(moving.read(), tf.mul(tf.sub(moving.read(), value), 1 - momentum)));
        });
      }
      return y;
    });
  }
}
