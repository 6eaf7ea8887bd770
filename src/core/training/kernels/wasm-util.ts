import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, simdLoops } from './simd-loops';

/** What tfjs hands a kernel registered for 'wasm'. */
export interface WasmKernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs?: tf.NamedAttrMap;
}

/** Narrows tfjs's loosely typed kernel arguments, once per kernel. */
export function wasmArgs(params: Parameters<tf.KernelFunc>[0]): WasmKernelArgs {
  return params as WasmKernelArgs;
}

export function input(args: WasmKernelArgs, name: string): tf.TensorInfo {
  const info = args.inputs[name];
  if (info === undefined) throw new Error(`The kernel was called without its input '${name}'.`);
  return info;
}

/**
 * An optimiser step's inputs: the weight `value`, then those named in `others` (with what to call each in
 * an error), each checked to hold as many values as the weight, since the step reads them side by side.
 */
export function weightStepInputs(args: WasmKernelArgs, step: string, others: Record<string, string>): tf.TensorInfo[] {
  const value = input(args, 'value');
  const count = tf.util.sizeFromShape(value.shape);
  return [
    value,
    ...Object.entries(others).map(([name, called]) => {
      const info = input(args, name);
      if (tf.util.sizeFromShape(info.shape) !== count) throw new Error(`The ${step}'s ${called} has shape [${info.shape}], its weight [${value.shape}].`);
      return info;
    }),
  ];
}

/**
 * A view of a tensor's values in wasm memory. Take views only after the last allocation of a kernel:
 * growing the heap moves it and leaves older views empty.
 */
export function heapView(backend: BackendWasm, info: tf.TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`Expected a float32 tensor, got ${info.dtype}.`);
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/**
 * The raw bits of a numeric tensor in wasm memory, for kernels that only move values: 32-bit values as
 * integers, which JavaScript copies without converting them to doubles and back.
 */
export function heapBits(backend: BackendWasm, info: tf.TensorInfo): Int32Array | Uint8Array {
  const view = backend.typedArrayFromHeap(info);
  if (info.dtype === 'float32' || info.dtype === 'int32') return new Int32Array(view.buffer, view.byteOffset, view.length);
  if (info.dtype === 'bool') return view as Uint8Array;
  throw new Error(`Tensors of type ${info.dtype} are not supported here.`);
}

/**
 * A float32 or int32 matrix [rows, cols] turned to [cols, rows], by our SIMD loop: 0.5 to 1 ns a value
 * where JavaScript, even tile by tile, took 3 to 5 and wasm's Transpose 10. ResNet-50 turns a few million
 * weights a step, on the one thread of JavaScript.
 */
export function transposed(backend: BackendWasm, matrix: tf.TensorInfo, rows: number, cols: number): tf.TensorInfo {
  if (matrix.dtype !== 'float32' && matrix.dtype !== 'int32') throw new Error(`Tensors of type ${matrix.dtype} are not supported here.`);
  const out = backend.makeOutput([cols, rows], matrix.dtype);
  simdLoops(backend).transpose(heapOffset(backend, matrix), heapOffset(backend, out), rows, cols, 4 * cols, 4 * rows);
  return out;
}

/** Runs a kernel registered for 'wasm' directly, so its output is not tracked by the engine: free it with `backend.disposeData`. */
export function runWasmKernel(name: string, backend: BackendWasm, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`The wasm backend has no ${name} kernel.`);
  return kernel.kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
}

/** wasm's Conv2D of NHWC `x` at stride 1, padded by (top, bottom, left, right): the form both convolution gradients take. */
export function paddedConv2D(
  backend: BackendWasm,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  [top, bottom, left, right]: readonly [number, number, number, number],
  dilations: [number, number] = [1, 1],
): tf.TensorInfo {
  return runWasmKernel(
    'Conv2D',
    backend,
    { x, filter },
    {
      strides: 1,
      dilations,
      dataFormat: 'NHWC',
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
    },
  );
}

/**
 * The geometry of a 2-D convolution, as tfjs computes it for the forward op. Only NHWC is handled, as by
 * wasm's own Conv2D. The gradient kernels take no dilations: tfjs refuses the gradient of a dilated
 * convolution before it reaches them.
 */
export function convGeometry(
  kernel: string,
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: Pick<tf.Conv2DBackpropFilterAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'>,
): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat !== 'NHWC') throw new Error(`${kernel} on wasm supports only NHWC data, not ${attrs.dataFormat}.`);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
}
