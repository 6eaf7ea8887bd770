// The ops as arithmetic on shapes: parameter and multiply-accumulate counts without making a tensor.

import { outputSide, type Activation, type Architecture, type ConvSpec, type DenseSpec, type Ops, type PoolSpec } from './ops';

/** [height, width, channels] for images, [units] once flattened or pooled. */
type Shape = readonly number[];

export interface Cost {
  /** All weights, as tf.LayersModel.countParams() counts them (batch norm's moving mean and variance included). */
  params: number;
  /** What the optimiser updates (PyTorch's `sum(p.numel() for p in model.parameters())`). */
  trainableParams: number;
  /**
   * Forward FLOPs per image: 2 x the multiply-accumulates of the convolutions and dense layers, the usual
   * convention (ResNet-50 at 224 px: 2 x 4.1 G). Batch norm, activations, pooling, additions and biases
   * are left out: under 1 % of ResNet-50's and memory-bound anyway.
   */
  flops: number;
}

/** Throws (a plain Error) if a layer would be left with no pixels: the architecture cannot take this size. */
export function countCost(architecture: Architecture, size: number, classes: number): Cost {
  const ops = new CostOps();
  architecture(ops, size, classes);
  return { params: ops.params, trainableParams: ops.params - ops.frozen, flops: 2 * ops.macs };
}

class CostOps implements Ops<Shape> {
  params = 0;
  /** Weights that are not trained (batch norm's moving statistics). */
  frozen = 0;
  macs = 0;

  input(size: number): Shape {
    return [size, size, 3];
  }

  conv(x: Shape, spec: ConvSpec): Shape {
    const [height, width, channels] = image(x);
    const strides = spec.strides ?? 1;
    const out = [outputSide(height, spec.kernel, strides, spec.padding), outputSide(width, spec.kernel, strides, spec.padding), spec.filters];
    check(out, `conv ${spec.name ?? ''}`);
    const kernel = spec.kernel * spec.kernel * channels * spec.filters;
    this.params += kernel + (spec.useBias ? spec.filters : 0);
    this.macs += kernel * out[0]! * out[1]!;
    return out;
  }

  batchNorm(x: Shape): Shape {
    const channels = x[x.length - 1]!;
    this.params += 4 * channels; // gamma, beta, moving mean, moving variance
    this.frozen += 2 * channels;
    return x;
  }

  activation(x: Shape, _fn: Activation): Shape {
    return x;
  }

  pool(x: Shape, spec: PoolSpec): Shape {
    const [height, width, channels] = image(x);
    const strides = spec.strides ?? spec.size;
    const out = [outputSide(height, spec.size, strides, spec.padding), outputSide(width, spec.size, strides, spec.padding), channels];
    check(out, `${spec.kind} pool`);
    return out;
  }

  globalAveragePool(x: Shape): Shape {
    return [image(x)[2]];
  }

  add(a: Shape, b: Shape): Shape {
    if (a.join() !== b.join()) throw new Error(`Cannot add shapes [${a.join(', ')}] and [${b.join(', ')}]`);
    return a;
  }

  flatten(x: Shape): Shape {
    return [x.reduce((product, side) => product * side, 1)];
  }

  dense(x: Shape, spec: DenseSpec): Shape {
    if (x.length !== 1) throw new Error(`A dense layer needs a flat input, not [${x.join(', ')}]`);
    const weights = x[0]! * spec.units;
    this.params += weights + spec.units;
    this.macs += weights;
    return [spec.units];
  }
}

function image(x: Shape): [number, number, number] {
  if (x.length !== 3) throw new Error(`Expected an image-shaped input, not [${x.join(', ')}]`);
  return x as [number, number, number];
}

function check(shape: Shape, layer: string): void {
  if (shape.some((side) => side < 1)) throw new Error(`The ${layer.trim()} layer would output [${shape.join(', ')}]`);
}
