// tf.layers' 2-D convolution for the layer that takes the image. In training nothing needs the gradient
// of the image, and tfjs skips the gradients nobody asked for, but not within a fused conv2d: its custom
// gradient computes the input's eagerly, a whole Conv2DBackpropInput per step (the largest of them, on
// the full-size image). Here the image is left out of the gradient. The outputs and the weights'
// gradients are the same kernels' as tfjs's; inference, ReLU and ELU layers (which tfjs does not fuse
// in training, so they already skip it) and saved models are tf.layers' own: the class keeps its name.

import * as tf from '@tensorflow/tfjs-core';
// Registers tf.layers' classes, Conv2D among them, before this module looks it up.
import '@tensorflow/tfjs-layers';
import type { Conv2D as TfConv2D } from '@tensorflow/tfjs-layers/dist/layers/convolutional';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';

/** tf.layers' class, which the package exports only by its registered name. */
const Conv2D = tf.serialization.SerializationMap.getMap().classNameMap.Conv2D![0] as unknown as typeof TfConv2D;

/** Activations that tfjs leaves out of the fused conv2d in training: their layers already skip the image's gradient. */
const UNFUSED_IN_TRAINING = new Set(['relu', 'elu']);

export class ImageConv2D extends Conv2D {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const plain = this.dataFormat === 'channelsLast' && this.dilationRate.every((rate) => rate === 1) && x.rank === 4;
    if (!kwargs.training || !plain || UNFUSED_IN_TRAINING.has(this.activation.getClassName())) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const filter = this.kernel.read();
      const bias = this.bias?.read();
      const y = convWithoutInputGradient(x as tf.Tensor4D, filter as tf.Tensor4D, bias, this.strides as [number, number], this.padding as 'same' | 'valid');
      return this.activation.apply(y);
    });
  }
}

/**
 * tfjs's fused conv2d (linear, as tf.layers calls it for these layers) with gradients for the filter and
 * the bias alone: x is not an input of the custom gradient, so the engine asks nothing of it.
 */
function convWithoutInputGradient(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor | undefined,
  strides: [number, number],
  pad: 'same' | 'valid',
): tf.Tensor4D {
  const weights = bias ? [filter, bias] : [filter];
  const withGradient = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args.at(-1) as tf.GradSaveFunc;
    save([x]);
    const value = tf.fused.conv2d({ x, filter, bias, strides, pad });
    const gradFunc = (dy: tf.Tensor4D, [saved]: tf.Tensor[]) => {
      const attrs: Partial<tf.Conv2DBackpropFilterAttrs> = { strides, pad, dataFormat: 'NHWC', filterShape: filter.shape };
      const dFilter = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: saved!, dy }, attrs as tf.NamedAttrMap) as tf.Tensor;
      // The bias gradient as tfjs's fused conv2d takes it: dy summed over all but the channels.
      return bias ? [dFilter, tf.sum(dy, [0, 1, 2])] : [dFilter];
    };
    return { value, gradFunc };
  });
  return withGradient(...weights) as tf.Tensor4D;
}
