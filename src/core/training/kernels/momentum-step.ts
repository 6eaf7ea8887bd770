import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, simdLoops } from './simd-loops';
import { wasmArgs, weightStepInputs } from './wasm-util';

/** A kernel of ours: tfjs has none for an optimiser's step. Inputs `value`, `accumulation`, `gradient`. */
export const MOMENTUM_STEP = 'MaskbenchMomentumStep';

export interface MomentumStepAttrs {
  momentum: number;
  learningRate: number;
}

/** One weight's step of SGD with momentum: its new value and new accumulation, in that order. */
function momentumStep(params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const args = wasmArgs(params);
  const { backend } = args;
  const [value, accumulation, gradient] = weightStepInputs(args, 'momentum step', { accumulation: 'accumulation', gradient: 'gradient' });
  const { momentum, learningRate } = args.attrs as unknown as MomentumStepAttrs;
  const newValue = backend.makeOutput(value!.shape, 'float32');
  const newAccumulation = backend.makeOutput(value!.shape, 'float32');
  const at = (info: tf.TensorInfo) => heapOffset(backend, info);
  simdLoops(backend).momentum(
    at(value!),
    at(accumulation!),
    at(gradient!),
    at(newValue),
    at(newAccumulation),
    tf.util.sizeFromShape(value!.shape),
    momentum,
    -learningRate,
  );
  return [newValue, newAccumulation];
}

export const momentumStepConfig: tf.KernelConfig = {
  kernelName: MOMENTUM_STEP,
  backendName: 'wasm',
  kernelFunc: momentumStep,
};
