// LeNet-5 (LeCun et al. 1998) on colour input: C1 5x5x6, S2 average pool, C3 5x5x16 (fully connected to
// S2, not the paper's partial table), S4, then F5 120, F6 84 and a softmax in place of the RBF output.
// 61,411 weights at 32 px and 3 classes.

import type { Ops } from './ops';

export function lenet5<T>(ops: Ops<T>, size: number, classes: number): T {
  let x = ops.input(size);
  x = ops.conv(x, { filters: 6, kernel: 5, padding: 'valid', useBias: true, activation: 'tanh' });
  x = ops.pool(x, { kind: 'average', size: 2, padding: 'valid' });
  x = ops.conv(x, { filters: 16, kernel: 5, padding: 'valid', useBias: true, activation: 'tanh' });
  x = ops.pool(x, { kind: 'average', size: 2, padding: 'valid' });
  x = ops.dense(ops.flatten(x), { units: 120, activation: 'tanh' });
  x = ops.dense(x, { units: 84, activation: 'tanh' });
  return ops.dense(x, { units: classes, activation: 'softmax' });
}
