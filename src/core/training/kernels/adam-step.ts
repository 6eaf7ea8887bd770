import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, simdLoops } from './simd-loops';
import { wasmArgs, weightStepInputs } from './wasm-util';

/** A kernel of ours: tfjs has none for an optimiser's step. Inputs `value`, `first`, `second` (the moments), `gradient`. */
export const ADAM_STEP = 'MaskbenchAdamStep';

export interface AdamStepAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
  /** 1 - beta1^t and 1 - beta2^t at step t, as tfjs's float32 state holds them. */
  correction1: number;
  correction2: number;
}

/** One weight's step of Adam: its new value, new first moment and new second moment, in that order. */
function adamStep(params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const args = wasmArgs(params);
  const { backend } = args;
  const [value, first, second, gradient] = weightStepInputs(args, 'Adam step', { first: 'first moment', second: 'second moment', gradient: 'gradient' });
  const { beta1, beta2, epsilon, learningRate, correction1, correction2 } = args.attrs as unknown as AdamStepAttrs;
  const [newValue, newFirst, newSecond] = [0, 1, 2].map(() => backend.makeOutput(value!.shape, 'float32'));
  const at = (info: tf.TensorInfo) => heapOffset(backend, info);
  // 1 - beta is taken in JavaScript's doubles, then rounded to float32 at the call, as tfjs makes its scalar.
  simdLoops(backend).adam(
    at(value!),
    at(first!),
    at(second!),
    at(gradient!),
    at(newValue!),
    at(newFirst!),
    at(newSecond!),
    tf.util.sizeFromShape(value!.shape),
    beta1,
    1 - beta1,
    beta2,
    1 - beta2,
    correction1,
    correction2,
    epsilon,
    -learningRate,
  );
  return [newValue!, newFirst!, newSecond!];
}

export const adamStepConfig: tf.KernelConfig = {
  kernelName: ADAM_STEP,
  backendName: 'wasm',
  kernelFunc: adamStep,
};
