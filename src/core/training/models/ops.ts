// Each architecture is written once against this small set of operations, and then interpreted twice:
// by build.ts into tf.layers (weights and all) and by cost.ts into parameter and FLOP counts from the
// shapes alone, so costing ResNet-50 takes microseconds and can never disagree with what gets built.

export type Activation = 'relu' | 'tanh';
export type Padding = 'same' | 'valid';

export interface ConvSpec {
  filters: number;
  /** Square kernel side. */
  kernel: number;
  strides?: number;
  padding: Padding;
  useBias: boolean;
  /** Fused into the convolution; leave out when a batch norm comes between. */
  activation?: Activation;
  name?: string;
}

export interface PoolSpec {
  kind: 'max' | 'average';
  size: number;
  /** Defaults to the pool size. */
  strides?: number;
  padding: Padding;
}

export interface DenseSpec {
  units: number;
  activation: Activation | 'softmax';
  name?: string;
}

/** What an architecture can ask for. T is a symbolic tensor when building, a shape when costing. */
export interface Ops<T> {
  /** A square RGB image, channels last. */
  input(size: number): T;
  conv(x: T, spec: ConvSpec): T;
  batchNorm(x: T, name?: string): T;
  activation(x: T, fn: Activation): T;
  pool(x: T, spec: PoolSpec): T;
  globalAveragePool(x: T): T;
  add(a: T, b: T): T;
  flatten(x: T): T;
  dense(x: T, spec: DenseSpec): T;
}

/** An architecture: from the ops and the output class count, the output (softmax) of the network. */
export type Architecture = <T>(ops: Ops<T>, size: number, classes: number) => T;

/** Output side of a convolution or pool over `size` pixels, as TensorFlow computes it. */
export function outputSide(size: number, kernel: number, strides: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(size / strides) : Math.floor((size - kernel) / strides) + 1;
}
