// What a driver asks of the compute page and what it gets back. Only a first step towards the job
// protocol the worker threads speak (DESIGN.md, "Where training runs"): a few batches in, losses and
// weights out, enough to check that a GPU backend trains as the cpu backend does.

import type { ModelName } from '../shared/training';

export type ComputeBackendName = 'webgpu' | 'webgl' | 'cpu';

export type OptimizerSpec = { kind: 'sgd'; learningRate: number; momentum: number } | { kind: 'adam'; learningRate: number };

export interface TrainStepsRequest {
  model: ModelName;
  /** Side of the square RGB input, in pixels. */
  size: number;
  classes: number;
  backend: ComputeBackendName;
  /**
   * Let WebGPU run on a software adapter (SwiftShader). Off unless asked for: on a user's machine a
   * fallback adapter is slower than the cpu backends, so only tests choose it, by name.
   */
  allowFallbackAdapter?: boolean;
  seed: number;
  optimizer: OptimizerSpec;
  /** The batches, trained on in turn, one step each, cycling until `steps` are done. */
  batches: TrainBatch[];
  steps: number;
}

export interface TrainBatch {
  /** Pixels in [0, 1], batch x size x size x 3, channels last. */
  images: Float32Array | number[];
  /** One class index per image. */
  labels: number[];
}

export interface AdapterReport {
  vendor: string;
  architecture: string;
  description: string;
  /** A software adapter (SwiftShader on these machines), as the browser reports it. */
  isFallbackAdapter: boolean;
}

export interface TrainedWeights {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface TrainStepsResult {
  /** tfjs's name of the backend that ran. */
  backend: string;
  /** WebGPU's adapter; null on the other backends. */
  adapter: AdapterReport | null;
  /** The mean loss of each step. */
  losses: number[];
  /** Every weight of the model after the last step, trainable or not (batch norm's moving statistics too). */
  weights: TrainedWeights[];
  milliseconds: number;
}
