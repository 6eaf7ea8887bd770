// Grad-CAM (Selvaraju et al. 2017): where in the image the model's last convolution found what pushed it
// towards a class. Each channel of that layer's activations is weighted by the mean gradient of the
// class score over it; the positive part of the weighted sum is the map. A last convolution with fewer
// than MIN_CELLS cells a side (ResNet-50 on small crops: 1x1 at 32 px) cannot say where anything is, so
// the last one with at least that many is used instead.
// The model is run layer by layer on concrete tensors rather than through predict, so that the last
// convolution's activations can be read and then differentiated through whatever follows them
// (ResNet's batch norms, shortcut additions and pooling included).

import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { WorkbenchError } from '../../shared/errors';
import type { GradCamMap } from '../../shared/review';

type Layer = LayersModel['layers'][number];

const MIN_CELLS = 4;

/** Grad-CAM of class `classIndex` for one image (`input` is [1, size, size, 3], values 0..1), in inference mode. */
export async function gradCam(model: LayersModel, input: tf.Tensor4D, classIndex: number): Promise<GradCamMap> {
  const convolutions = model.layers.filter((layer) => layer.getClassName() === 'Conv2D');
  const conv = convolutions.findLast((layer) => Math.min(...(layer.outputShape as number[]).slice(1, 3)) >= MIN_CELLS) ?? convolutions.at(-1);
  if (!conv) throw new WorkbenchError('invalid-request', `Model ${model.name} has no convolution layer to take a Grad-CAM map from`);
  if (model.inputs.length !== 1 || model.outputs.length !== 1)
    throw new WorkbenchError(
      'invalid-request',
      `Grad-CAM needs a model with one input and one output; ${model.name} has ${model.inputs.length} and ${model.outputs.length}`,
    );
  const layers = model.layers.filter((layer) => layer.getClassName() !== 'InputLayer');
  for (const layer of layers) {
    // Each layer's inputs are looked up through its one node; a layer used twice would be ambiguous.
    if (layer.inboundNodes.length !== 1)
      throw new WorkbenchError('invalid-request', `Grad-CAM cannot follow layer ${layer.name}, which is used ${layer.inboundNodes.length} times`);
  }
  const activationsId = conv.inboundNodes[0]!.outputTensors[0]!.id;
  const downstream = downstreamOf(layers.slice(layers.indexOf(conv) + 1), activationsId);
  const upstream = layers.filter((layer) => !downstream.includes(layer));
  const outputId = model.outputs[0]!.id;

  const map = tf.tidy(() => {
    // Everything not downstream of the convolution is computed once, and reused while differentiating.
    const values = new Map<number, tf.Tensor>([[model.inputs[0]!.id, input]]);
    runLayers(upstream, values, outputId);
    const activations = values.get(activationsId)!;
    const score = (a: tf.Tensor): tf.Scalar => {
      const substituted = new Map(values).set(activationsId, a);
      runLayers(downstream, substituted, outputId);
      return tf.squeeze(tf.slice(substituted.get(outputId)!, [0, classIndex], [1, 1]));
    };
    const gradients = tf.grad(score)(activations);
    const weights = tf.mean(gradients, [1, 2], true);
    return tf.squeeze(tf.relu(tf.sum(tf.mul(activations, weights), -1)), [0]) as tf.Tensor2D;
  });
  const [rows, cols] = map.shape;
  // data(), not dataSync(): WebGPU's synchronous read goes through canvases, and repeated it leaves the
  // page unable to map a buffer.
  const raw = Array.from(await map.data());
  map.dispose();
  const max = Math.max(0, ...raw);
  return { layer: conv.name, rows, cols, values: raw.map((value) => (max > 0 ? value / max : 0)) };
}

/** The layers of `after` (in topological order) that depend on the symbolic tensor `id`, in that order. */
function downstreamOf(after: Layer[], id: number): Layer[] {
  const affected = new Set([id]);
  return after.filter((layer) => {
    const node = layer.inboundNodes[0]!;
    if (!node.inputTensors.some((tensor) => affected.has(tensor.id))) return false;
    for (const tensor of node.outputTensors) affected.add(tensor.id);
    return true;
  });
}

/**
 * Applies `layers` in order to concrete tensors: each reads its inputs from `values` (keyed by the id
 * of the symbolic tensor they stand for) and adds its outputs there. The model's output (`outputId`)
 * is taken as logits.
 */
function runLayers(layers: Layer[], values: Map<number, tf.Tensor>, outputId: number): void {
  for (const layer of layers) {
    const node = layer.inboundNodes[0]!;
    const inputs = node.inputTensors.map((tensor) => values.get(tensor.id)!);
    const outputs =
      node.outputTensors[0]!.id === outputId
        ? [logits(layer, inputs)]
        : [layer.apply(inputs.length === 1 ? inputs[0]! : inputs, { training: false }) as tf.Tensor | tf.Tensor[]].flat();
    node.outputTensors.forEach((tensor, i) => values.set(tensor.id, outputs[i]!));
  }
}

/**
 * The class scores before the softmax, as Grad-CAM asks: a probability, squashed by the other classes',
 * saturates near 0 and 1. A dense softmax layer (all our models end in one) is recomputed without its
 * activation; any other output layer is taken as it is.
 */
function logits(layer: Layer, inputs: tf.Tensor[]): tf.Tensor {
  if (layer.getClassName() !== 'Dense' || layer.getConfig().activation !== 'softmax') return layer.apply(inputs[0]!, { training: false }) as tf.Tensor;
  const [kernel, bias] = layer.getWeights();
  const product = tf.matMul(inputs[0] as tf.Tensor2D, kernel as tf.Tensor2D);
  return bias ? tf.add(product, bias) : product;
}
