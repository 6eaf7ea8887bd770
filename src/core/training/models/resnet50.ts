// ResNet-50 (He et al. 2016) as torchvision builds it, so a PyTorch twin has the same weights: the stride
// of a down-sampling block sits on its 3x3 conv ("ResNet v1.5"), each stage's first block has a 1x1
// conv + BN projection shortcut, and convolutions have no bias. Layer names follow torchvision's
// (layer1.0.conv1 -> stage1_block1_conv1) so weights can be matched by name.
// TensorFlow's 'same' padding pads stride-2 convolutions bottom/right rather than evenly, which shifts
// the sampling grid by a pixel but gives the same shapes, weights and FLOPs as PyTorch's padding=k//2.

import type { Ops } from './ops';

/** Bottleneck width and block count per stage; each block's output is 4x its width. */
const STAGES = [
  { width: 64, blocks: 3 },
  { width: 128, blocks: 4 },
  { width: 256, blocks: 6 },
  { width: 512, blocks: 3 },
];
const EXPANSION = 4;

export function resnet50<T>(ops: Ops<T>, size: number, classes: number): T {
  let x = ops.input(size);
  x = ops.conv(x, { filters: 64, kernel: 7, strides: 2, padding: 'same', useBias: false, name: 'conv1' });
  x = ops.activation(ops.batchNorm(x, 'bn1'), 'relu');
  x = ops.pool(x, { kind: 'max', size: 3, strides: 2, padding: 'same' });
  STAGES.forEach(({ width, blocks }, stage) => {
    for (let block = 0; block < blocks; block++) {
      const first = block === 0;
      // Stage 1 follows the max pool, so it keeps the resolution and only widens (64 -> 256).
      const strides = first && stage > 0 ? 2 : 1;
      x = bottleneck(ops, x, width, strides, first, `stage${stage + 1}_block${block + 1}`);
    }
  });
  x = ops.globalAveragePool(x);
  return ops.dense(x, { units: classes, activation: 'softmax', name: 'fc' });
}

function bottleneck<T>(ops: Ops<T>, x: T, width: number, strides: number, project: boolean, name: string): T {
  let y = ops.conv(x, { filters: width, kernel: 1, padding: 'same', useBias: false, name: `${name}_conv1` });
  y = ops.activation(ops.batchNorm(y, `${name}_bn1`), 'relu');
  y = ops.conv(y, { filters: width, kernel: 3, strides, padding: 'same', useBias: false, name: `${name}_conv2` });
  y = ops.activation(ops.batchNorm(y, `${name}_bn2`), 'relu');
  y = ops.conv(y, { filters: width * EXPANSION, kernel: 1, padding: 'same', useBias: false, name: `${name}_conv3` });
  y = ops.batchNorm(y, `${name}_bn3`);
  let shortcut = x;
  if (project) {
    shortcut = ops.conv(x, { filters: width * EXPANSION, kernel: 1, strides, padding: 'same', useBias: false, name: `${name}_downsample_conv` });
    shortcut = ops.batchNorm(shortcut, `${name}_downsample_bn`);
  }
  return ops.activation(ops.add(y, shortcut), 'relu');
}
