// The ops as tf.layers: a functional (graph) model, so ResNet's shortcuts need nothing special.

import * as tfl from '@tensorflow/tfjs-layers';
import { FusedBatchNormalization } from './batch-norm-layer';
import { ImageConv2D } from './image-conv-layer';
import type { Architecture, ConvSpec, DenseSpec, Ops, PoolSpec, Activation } from './ops';

type Symbolic = tfl.SymbolicTensor;

// PyTorch's defaults (momentum 0.1 there means 0.9 here), so the PyTorch twin computes the same function;
// tf.layers' own 0.99 also lags behind on the few hundred steps a small crop dataset gives.
const BATCH_NORM = { momentum: 0.9, epsilon: 1e-5 };

export function buildLayersModel(architecture: Architecture, name: string, size: number, classes: number, seed?: number): tfl.LayersModel {
  const ops = new LayersOps(seed);
  const output = architecture(ops, size, classes);
  if (!ops.image) throw new Error(`Architecture ${name} made no input`);
  return tfl.model({ inputs: ops.image, outputs: output, name });
}

class LayersOps implements Ops<Symbolic> {
  image?: Symbolic;
  private readonly counts = new Map<string, number>();
  private kernels = 0;

  constructor(private readonly seed?: number) {}

  input(size: number): Symbolic {
    this.image = tfl.input({ shape: [size, size, 3], name: 'image' });
    return this.image;
  }

  conv(x: Symbolic, spec: ConvSpec): Symbolic {
    const args = {
      filters: spec.filters,
      kernelSize: spec.kernel,
      strides: spec.strides ?? 1,
      padding: spec.padding,
      useBias: spec.useBias,
      activation: spec.activation ?? 'linear',
      kernelInitializer: this.kernelInitializer(),
      name: this.name('conv', spec.name),
    } as const;
    // Nothing trains the image: the layer that takes it computes no gradient for it.
    return apply(x === this.image ? new ImageConv2D(args) : tfl.layers.conv2d(args), x);
  }

  batchNorm(x: Symbolic, name?: string): Symbolic {
    return apply(new FusedBatchNormalization({ ...BATCH_NORM, name: this.name('bn', name) }), x);
  }

  activation(x: Symbolic, fn: Activation): Symbolic {
    return apply(tfl.layers.activation({ activation: fn, name: this.name(fn) }), x);
  }

  pool(x: Symbolic, spec: PoolSpec): Symbolic {
    const args = { poolSize: spec.size, strides: spec.strides ?? spec.size, padding: spec.padding, name: this.name(`${spec.kind}_pool`) };
    return apply(spec.kind === 'max' ? tfl.layers.maxPooling2d(args) : tfl.layers.averagePooling2d(args), x);
  }

  globalAveragePool(x: Symbolic): Symbolic {
    return apply(tfl.layers.globalAveragePooling2d({ name: this.name('global_pool') }), x);
  }

  add(a: Symbolic, b: Symbolic): Symbolic {
    const layer = tfl.layers.add({ name: this.name('add') });
    return layer.apply([a, b]) as Symbolic;
  }

  flatten(x: Symbolic): Symbolic {
    return apply(tfl.layers.flatten({ name: this.name('flatten') }), x);
  }

  dense(x: Symbolic, spec: DenseSpec): Symbolic {
    return apply(
      tfl.layers.dense({ units: spec.units, activation: spec.activation, kernelInitializer: this.kernelInitializer(), name: this.name('dense', spec.name) }),
      x,
    );
  }

  /** Explicit names where the architecture gives them (ResNet's), else kind_1, kind_2... counted per model. */
  private name(kind: string, given?: string): string {
    if (given) return given;
    const count = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, count);
    return `${kind}_${count}`;
  }

  /** tf.layers' default (Glorot uniform), seeded per layer: one seed for all would give same-shaped layers equal weights. */
  private kernelInitializer() {
    this.kernels += 1;
    if (this.seed === undefined) return tfl.initializers.glorotUniform({});
    return tfl.initializers.glorotUniform({ seed: layerSeed(this.seed, this.kernels) });
  }
}

function apply(layer: { apply(x: Symbolic): unknown }, x: Symbolic): Symbolic {
  return layer.apply(x) as Symbolic;
}

/** A well-mixed, never-zero seed for the n-th layer (tfjs treats a seed of 0 as "no seed"). */
function layerSeed(seed: number, layer: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(layer, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0 || 1;
}
