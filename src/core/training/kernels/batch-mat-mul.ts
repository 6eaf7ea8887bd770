import * as tf from '@tensorflow/tfjs-core';
import { input, transposed, wasmArgs } from './wasm-util';

/**
 * wasm's BatchMatMul hands a single product to XNNPACK only when neither side is transposed; a transposed
 * side falls to a plain loop many times slower. The gradient of every dense layer asks for transposes,
 * so this wraps wasm's kernel: it transposes such a side first (a copy) and then multiplies fast.
 */
export function batchMatMulConfig(wasmBatchMatMul: tf.KernelConfig): tf.KernelConfig {
  const batchMatMul = (params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo => {
    const args = wasmArgs(params);
    const { backend } = args;
    const attrs = args.attrs as unknown as tf.BatchMatMulAttrs;
    const a = input(args, 'a');
    const b = input(args, 'b');
    const single = (t: tf.TensorInfo) => tf.util.sizeFromShape(t.shape.slice(0, -2)) === 1;
    if (!(attrs.transposeA || attrs.transposeB) || !single(a) || !single(b)) return wasmBatchMatMul.kernelFunc(params) as tf.TensorInfo;
    const flip = (t: tf.TensorInfo) => transposed(backend, t, t.shape.at(-2)!, t.shape.at(-1)!);
    const a2 = attrs.transposeA ? flip(a) : a;
    const b2 = attrs.transposeB ? flip(b) : b;
    const out = wasmBatchMatMul.kernelFunc({ inputs: { a: a2, b: b2 }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } }) as tf.TensorInfo;
    if (a2 !== a) backend.disposeData(a2.dataId);
    if (b2 !== b) backend.disposeData(b2.dataId);
    return {
      ...out,
      shape: [...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), out.shape.at(-2)!, out.shape.at(-1)!],
    };
  };
  return { ...wasmBatchMatMul, kernelFunc: batchMatMul };
}
