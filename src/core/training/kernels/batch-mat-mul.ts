import * as tf from '@tensorflow/tfjs-core';
import { input, transposed, wasmArgs } from './wasm-util';

/**
 * wasm's BatchMatMul hands a single product to XNNPACK only when neither side is transposed; a transposed
 * side falls to a plain loop many times slower. The gradient of every dense layer asks for transposes,
 * so this wraps wasm's kernel: it transposes such a side first (a copy) and then multiplies fast.
 *
 * XNNPACK also packs the right-hand side of every product anew, unless it has seen that very tensor
 * before: about 3 ns a value here. In a dense layer's input gradient dy·Wᵀ that side is the layer's
 * weights, new at every step; where the batch has fewer rows than the layer has inputs, the product is
 * taken as (W·dyᵀ)ᵀ, which packs the smaller dyᵀ. For LeNet-5's first dense layer (400 inputs) that
 * took 0.13 ms instead of 0.37 to 0.45 at batch 32, and 0.07 instead of 0.21 to 0.29 at batch 16.
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
    /** x·y, each side transposed first (a copy) where asked, by wasm's kernel. */
    const product = (x: tf.TensorInfo, y: tf.TensorInfo, transposeX: boolean, transposeY: boolean): tf.TensorInfo => {
      const x2 = transposeX ? flip(x) : x;
      const y2 = transposeY ? flip(y) : y;
      const out = wasmBatchMatMul.kernelFunc({ inputs: { a: x2, b: y2 }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } }) as tf.TensorInfo;
      if (x2 !== x) backend.disposeData(x2.dataId);
      if (y2 !== y) backend.disposeData(y2.dataId);
      return out;
    };
    let out: tf.TensorInfo;
    if (attrs.transposeB && !attrs.transposeA && a.shape.at(-2)! < b.shape.at(-2)!) {
      const outTransposed = product(b, a, false, true);
      out = flip(outTransposed);
      backend.disposeData(outTransposed.dataId);
    } else out = product(a, b, attrs.transposeA, attrs.transposeB);
    return {
      ...out,
      shape: [...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), out.shape.at(-2)!, out.shape.at(-1)!],
    };
  };
  return { ...wasmBatchMatMul, kernelFunc: batchMatMul };
}
