// How many threads one wasm training run computes on. Kept free of TensorFlow.js, so that the main
// process can size its training slots from it without loading tfjs.

import { availableParallelism } from 'node:os';

/** tfjs's wasm build starts at most 8 threads (its pool of workers, and its cap in init_with_threads_count). */
export const MAX_WASM_THREADS = 8;

export const WASM_THREADS_VARIABLE = 'MASKBENCH_WASM_THREADS';

export interface WasmThreads {
  count: number;
  /** Why the count is not what was asked for (an unreadable MASKBENCH_WASM_THREADS, or more than the cores), or null. */
  note: string | null;
}

/** Every core, up to tfjs's cap, unless MASKBENCH_WASM_THREADS asks for fewer (1: single-threaded). */
export function wasmThreads(env: NodeJS.ProcessEnv = process.env, cores: number = availableParallelism()): WasmThreads {
  const every = Math.min(cores, MAX_WASM_THREADS);
  const asked = env[WASM_THREADS_VARIABLE]?.trim();
  if (!asked) return { count: every, note: null };
  const count = Number(asked);
  const setting = `${WASM_THREADS_VARIABLE}=${asked}`;
  if (!Number.isInteger(count) || count < 1) return { count: every, note: `${setting} is not a whole number of threads, so every core is used` };
  // More threads than cores only take turns on them: the setting caps a run's cores, it cannot add any.
  if (count > every)
    return {
      count: every,
      note: every < cores ? `${setting} is more than tfjs's wasm backend starts (${every})` : `${setting} is more than this machine's ${cores} cores`,
    };
  return { count, note: null };
}
