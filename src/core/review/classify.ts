// A run's model judging crops: each class's probability for a batch, and for one crop a Grad-CAM map of
// the class it predicts. Only TensorFlow.js here: the same code runs in a worker and on the compute page.

import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { WorkbenchError } from '../../shared/errors';
import type { GradCamMap } from '../../shared/review';
import { gradCam } from './grad-cam';

export interface CropExplanation {
  probabilities: number[];
  /** The index of the class the model predicts, whose map `map` is. */
  predicted: number;
  map: GradCamMap;
}

/** A run's model, wherever it runs: on a worker's backend, or on the compute page's GPU. */
export interface Classifier {
  /** tfjs's name of the backend the model runs on. */
  readonly backend: string;
  /** Each crop's probability per class; `pixels` holds `count` square crops as raw RGB bytes. */
  classify(pixels: Uint8Array, count: number): Promise<number[][]>;
  explain(pixels: Uint8Array): Promise<CropExplanation>;
  dispose(): void;
}

/** A run's saved model, and the crops it must take and the classes it must give to fit the run. */
export interface ModelToOpen {
  folder: string;
  size: number;
  classes: number;
  runId: string;
}

/** Loads a run's model where it is to run; `signal` stops waiting for a place to run it. */
export type OpenClassifier = (model: ModelToOpen, signal?: AbortSignal) => Promise<Classifier>;

/** A model that no longer fits its run (files replaced, or from another run) is refused rather than misread. */
function checkModel(model: LayersModel, { size, classes, runId }: Omit<ModelToOpen, 'folder'>): void {
  const input = model.inputs[0]!.shape;
  const output = model.outputs[0]!.shape;
  if (input[1] !== size || input[2] !== size || input[3] !== 3) {
    throw new WorkbenchError(
      'invalid-request',
      `Run ${runId}'s model takes ${input[1]}x${input[2]}x${input[3]} inputs, but its dataset's crops are ${size}x${size}x3: the model files do not belong to this run`,
      { field: 'runId' },
    );
  }
  if (output[1] !== classes)
    throw new WorkbenchError('invalid-request', `Run ${runId}'s model predicts ${output[1]} classes, but its dataset has ${classes}`, { field: 'runId' });
}

/**
 * A loaded model as a Classifier on the current tfjs backend, once checked against its run (a model that
 * does not fit is disposed and refused); disposing the Classifier disposes the model.
 */
export function modelClassifier(model: LayersModel, wanted: Omit<ModelToOpen, 'folder'>, backend: string): Classifier {
  try {
    checkModel(model, wanted);
  } catch (error) {
    model.dispose();
    throw error;
  }
  const { size } = wanted;
  const images = (pixels: Uint8Array, count: number) => tf.div(tf.tensor4d(pixels, [count, size, size, 3], 'float32'), 255) as tf.Tensor4D;
  const classify = async (pixels: Uint8Array, count: number): Promise<number[][]> => {
    const output = tf.tidy(() => model.predict(images(pixels, count)) as tf.Tensor2D);
    try {
      // data(), not dataSync(): on a GPU backend the read waits without blocking the page.
      const values = await output.data();
      const classes = output.shape[1];
      return Array.from({ length: count }, (_, i) => Array.from(values.subarray(i * classes, (i + 1) * classes)));
    } finally {
      output.dispose();
    }
  };
  return {
    backend,
    classify,
    async explain(pixels) {
      const [probabilities] = await classify(pixels, 1);
      const predicted = probabilities!.indexOf(Math.max(...probabilities!));
      const x = images(pixels, 1);
      try {
        return { probabilities: probabilities!, predicted, map: await gradCam(model, x, predicted) };
      } finally {
        x.dispose();
      }
    },
    dispose: () => model.dispose(),
  };
}
