// conv-bn: simple-conv with batch normalisation between each convolution and its ReLU. The conv keeps
// its bias (redundant before a norm, but the study's network had it): 286,435 weights at 64 px, 3 classes.

import type { Ops } from './ops';
import { smallConvNet } from './simple-conv';

export function convBn<T>(ops: Ops<T>, size: number, classes: number): T {
  return smallConvNet(ops, size, classes, true);
}
