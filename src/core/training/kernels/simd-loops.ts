// Our own SIMD loops (simd-loops.wat), run in the memory of tfjs's wasm backend on tensors where they lie.

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type * as tf from '@tensorflow/tfjs-core';
import { WebAssembly, type WasmMemory } from './web-assembly';
import { SIMD_LOOPS_WASM } from './simd-loops-wasm';

/** The module's functions; every address is a byte offset into the backend's memory. */
export interface SimdLoops {
  /** Rows `fromRow` bytes apart in, `toRow` bytes apart out. */
  transpose(from: number, to: number, rows: number, cols: number, fromRow: number, toRow: number): void;
  channelSums(u: number, su: number, v: number, sv: number, sums: number, products: number, length: number, channels: number): void;
  columnSums(x: number, totals: number, rows: number, width: number): void;
  tanh(from: number, to: number, count: number): void;
  tanhGrad(dy: number, y: number, dx: number, count: number): void;
  reluGrad(dy: number, x: number, dx: number, count: number): void;
  momentum(
    value: number,
    accumulation: number,
    gradient: number,
    newValue: number,
    newAccumulation: number,
    count: number,
    momentum: number,
    negRate: number,
  ): void;
  adam(
    value: number,
    first: number,
    second: number,
    gradient: number,
    newValue: number,
    newFirst: number,
    newSecond: number,
    count: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    correction1: number,
    correction2: number,
    epsilon: number,
    negRate: number,
  ): void;
  avgPoolHalvingGrad(dy: number, dx: number, rows: number, outWidth: number, channels: number): void;
  maxPoolHalvingGrad(
    x: number,
    dy: number,
    dx: number,
    batch: number,
    inHeight: number,
    inWidth: number,
    channels: number,
    outHeight: number,
    outWidth: number,
  ): void;
}

/** The module instantiated over each backend's memory (one a backend: a thread's, its build's). */
const instances = new WeakMap<WasmMemory, SimdLoops>();

export function simdLoops(backend: BackendWasm): SimdLoops {
  // tfjs's emscripten module: the single-threaded build exports its memory, the threaded one makes it shared.
  const module = backend.wasm as unknown as { wasmMemory?: WasmMemory; asm?: { memory?: WasmMemory } };
  const memory = module.wasmMemory ?? module.asm?.memory;
  if (memory === undefined) throw new Error("tfjs's wasm backend does not show its memory, which the training kernels' SIMD loops work in.");
  let loops = instances.get(memory);
  if (loops === undefined) {
    // atob, not Node's Buffer: this folder stays free of Node for the compute page.
    const bytes = Uint8Array.from(atob(memory.buffer instanceof SharedArrayBuffer ? SIMD_LOOPS_WASM.shared : SIMD_LOOPS_WASM.plain), (c) => c.charCodeAt(0));
    loops = new WebAssembly.Instance(new WebAssembly.Module(bytes), { tfjs: { memory } }).exports as unknown as SimdLoops;
    instances.set(memory, loops);
  }
  return loops;
}

/** Where a tensor's values start in the backend's memory. Making a tensor may grow the memory, which moves no offset. */
export function heapOffset(backend: BackendWasm, info: tf.TensorInfo): number {
  return backend.typedArrayFromHeap(info).byteOffset;
}

/**
 * `count` float64 values in the backend's memory, where a loop reads and writes them: free `info` with
 * `backend.disposeData` once they are read.
 */
export function float64Scratch(backend: BackendWasm, count: number): { info: tf.TensorInfo; at: number; values: Float64Array } {
  const info = backend.makeOutput([2 * count], 'float32');
  const at = heapOffset(backend, info);
  if (at % Float64Array.BYTES_PER_ELEMENT !== 0) throw new Error(`The wasm heap gave float64 values an unaligned place (${at}).`);
  return { info, at, values: new Float64Array(backend.typedArrayFromHeap(info).buffer, at, count) };
}
