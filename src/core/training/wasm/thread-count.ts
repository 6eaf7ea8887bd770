// How many threads one wasm training run computes on. Kept free of TensorFlow.js, so that the main
// process can size its training slots from it without loading tfjs.

import { availableParallelism } from 'node:os';

/** tfjs's wasm build starts at most 8 threads (its pool of workers, and its cap in init_with_threads_count). */
export const MAX_WASM_THREADS = 8;

export const WASM_THREADS_VARIABLE = 'MASKBENCH_WASM_THREADS';

export interface WasmThreads {
  count: number;
  /** Why the count is not what was asked for (an unreadable or too large MASKBENCH_WASM_THREADS), or null. */
  note: string | null;
}

/** Every core, up to tfjs's cap, unless MASKBENCH_WASM_THREADS asks for another number (1: single-threaded). */
export function wasmThreads(env: NodeJS.ProcessEnv = process.env, cores: number = availableParallelism()): WasmThreads {
  const every = Math.min(cores, MAX_WASM_THREADS);
  const asked = env[WASM_THREADS_VARIABLE]?.trim();
  if (!asked) return { count: every, note: null };
  const count = Number(asked);
  const setting = `${WASM_THREADS_VARIABLE}=${asked}`;
  if (!Number.isInteger(count) || count < 1) return { count: every, note: `${setting} is not a whole number of threads, so every core is used` };
  if (count > MAX_WASM_THREADS) return { count: MAX_WASM_THREADS, note: `${setting} is more than tfjs's wasm backend starts` };
  return { count, note: null };
}
