// The wasm backend registers its own kernels when it is first imported: importing it here first means
// that ours replace them, rather than theirs ours.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { adamStepConfig } from './adam-step';
import { avgPoolGradConfig } from './avg-pool-grad';
import { batchMatMulConfig } from './batch-mat-mul';
import { batchNormTrainingConfig, batchNormTrainingGradConfig } from './batch-norm-training';
import { batchNormTrainingGradient } from './batch-norm-training-op';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input';
import { fusedBatchNormConfig } from './fused-batch-norm';
import { fusedConv2DConfig } from './fused-conv2d';
import { identityConfig } from './identity';
import { maxPoolGradConfig } from './max-pool-grad';
import { momentumStepConfig } from './momentum-step';
import { meanConfig, sumConfig } from './reduce-leading';
import { tanhConfig } from './tanh';
import { reluGrad } from './relu-grad';
import { tanhGrad } from './tanh-grad';
import { tileConfig } from './tile';

/** Each kernel we supply: a replacement, or a wrapper that takes over the cases wasm's own kernel runs slowly. */
type Supplied = tf.KernelConfig | ((wasmKernel: tf.KernelConfig) => tf.KernelConfig);

const KERNELS: ReadonlyArray<[name: string, supplied: Supplied]> = [
  [tf.Conv2DBackpropFilter, conv2DBackpropFilterConfig],
  [tf.Conv2DBackpropInput, conv2DBackpropInputConfig],
  [tf.FusedConv2D, fusedConv2DConfig],
  [tf.Tile, tileConfig],
  [tf.MaxPoolGrad, maxPoolGradConfig],
  [tf.AvgPoolGrad, avgPoolGradConfig],
  [tf.Tanh, tanhConfig],
  [tf.BatchMatMul, batchMatMulConfig],
  [tf.Sum, sumConfig],
  [tf.Mean, meanConfig],
  [tf.FusedBatchNorm, fusedBatchNormConfig],
  [tf.Identity, identityConfig],
  [batchNormTrainingConfig.kernelName, batchNormTrainingConfig],
  [batchNormTrainingGradConfig.kernelName, batchNormTrainingGradConfig],
  [momentumStepConfig.kernelName, momentumStepConfig],
  [adamStepConfig.kernelName, adamStepConfig],
  [tanhGrad.kernel.kernelName, tanhGrad.kernel],
  [reluGrad.kernel.kernelName, reluGrad.kernel],
];

/** Ours, as registered, so that registering again changes nothing. */
const ours = new Set<tf.KernelConfig>();

/**
 * Registers for the 'wasm' backend the training kernels that tfjs 4.22 lacks there (Conv2DBackpropFilter)
 * or runs slowly (the others in KERNELS), in place of wasm's own, the two of batchNormTraining, the
 * optimisers' steps (SGD with momentum, Adam), and the gradients of tanh and ReLU.
 * Idempotent; works before or after the backend is initialised, since none of ours needs setting up and
 * wrapped kernels keep wasm's set-up.
 */
export function registerWasmTrainingKernels(): void {
  for (const [name, supplied] of KERNELS) {
    const current = tf.getKernel(name, 'wasm');
    if (current !== undefined && ours.has(current)) continue;
    if (typeof supplied === 'function' && current === undefined) throw new Error(`The wasm backend has no ${name} kernel to wrap.`);
    const config = typeof supplied === 'function' ? supplied(current!) : supplied;
    if (current !== undefined) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(config);
    ours.add(config);
  }
  // batchNormTraining's gradient, which tfjs cannot know. Gradients are not per backend: this one runs
  // only where the forward kernel ran, so it finds its kernel there too.
  if (tf.getGradient(batchNormTrainingGradient.kernelName) === undefined) tf.registerGradient(batchNormTrainingGradient);
  // In place of tfjs's, which compute the same on every backend but take three kernels where ours take one.
  for (const { gradient } of [tanhGrad, reluGrad]) if (tf.getGradient(gradient.kernelName) !== gradient) tf.registerGradient(gradient);
}
