// simple-conv: three stages of [3x3 conv 'same' + ReLU, 2x2 max pool] with 16, 32 and 64 filters,
// then dense 64 ReLU and the softmax. conv-bn is the same network with batch norm (conv-bn.ts).

import type { Ops } from './ops';

const FILTERS = [16, 32, 64];

export function simpleConv<T>(ops: Ops<T>, size: number, classes: number): T {
  return smallConvNet(ops, size, classes, false);
}

/** Shared with conv-bn: with batchNorm the ReLU moves after the norm (conv -> BN -> ReLU). */
export function smallConvNet<T>(ops: Ops<T>, size: number, classes: number, batchNorm: boolean): T {
  let x = ops.input(size);
  for (const filters of FILTERS) {
    if (batchNorm) {
      x = ops.conv(x, { filters, kernel: 3, padding: 'same', useBias: true });
      x = ops.activation(ops.batchNorm(x), 'relu');
    } else {
      x = ops.conv(x, { filters, kernel: 3, padding: 'same', useBias: true, activation: 'relu' });
    }
    x = ops.pool(x, { kind: 'max', size: 2, padding: 'valid' });
  }
  x = ops.dense(ops.flatten(x), { units: 64, activation: 'relu' });
  return ops.dense(x, { units: classes, activation: 'softmax' });
}
