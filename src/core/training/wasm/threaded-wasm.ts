// tfjs's threaded SIMD wasm build, started in Node. tfjs turns it off there (WASM_HAS_MULTITHREAD_SUPPORT
// is false under Node) because it hands emscripten's thread workers their scripts as blob: URLs, which
// Node's workers cannot start. This calls the same emscripten factory with the scripts as files, and
// makes a BackendWasm of the module it returns.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { BackendWasmThreadedSimdModule, WasmFactoryConfig } from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd';
import { WebAssembly, type CompiledWasm, type WasmImports, type WasmInstance } from '../kernels/web-assembly';

const require = createRequire(import.meta.url);

const FACTORY_SCRIPT = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
const WORKER_SCRIPT = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
export const THREADED_BINARY = 'tfjs-backend-wasm-threaded-simd.wasm';

/** The emscripten module with what tfjs and this loader use of it. */
interface ThreadedModule extends BackendWasmThreadedSimdModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  PThread: BackendWasmThreadedSimdModule['PThread'] & { runningWorkers: Array<{ unref(): void }> };
}

type ThreadedFactory = (config: WasmFactoryConfig) => Promise<ThreadedModule>;

type EmscriptenImports = WasmImports & { env: Record<string, unknown> };

/** emscripten's hook for instantiating the binary ourselves: its imports, and where the instance goes. */
type InstantiateWasm = (imports: EmscriptenImports, receive: (instance: WasmInstance, module: CompiledWasm) => void) => WasmInstance['exports'];

/**
 * Starts the threaded build, with its wasm binary from `binaryDir`, ready to run `threads` threads
 * (tfjs's calling thread and threads - 1 workers).
 */
export async function startThreadedWasm(threads: number, binaryDir: string): Promise<ThreadedModule> {
  const factory = require(FACTORY_SCRIPT) as ThreadedFactory;
  const binary = await WebAssembly.compile(await readFile(join(binaryDir, THREADED_BINARY)));
  // A folder of our own (mode 0700): the workers run whatever script they find there.
  const folder = await mkdtemp(join(tmpdir(), 'maskbench-wasm-'));
  try {
    const workerScript = join(folder, 'thread-worker.js');
    const factoryScript = join(folder, 'factory.js');
    await writeFile(workerScript, threadWorkerSource());
    await writeFile(factoryScript, await readFile(require.resolve(FACTORY_SCRIPT)));
    const module = await factory({
      // Each thread worker loads this script itself and calls the factory it declares.
      mainScriptUrlOrBlob: factoryScript,
      // Only the worker's script is looked up: the binary is instantiated below.
      locateFile: (path) => (path.endsWith('.worker.js') ? workerScript : path),
      instantiateWasm: withLogicalCores(binary, 2 * threads),
    });
    // The bindings tfjs's own init() adds, which BackendWasm calls.
    module.tfjs = {
      init: module.cwrap('init', null, []),
      initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: module.cwrap('get_threads_count', 'number', []),
      registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: module.cwrap('dispose_data', null, ['number']),
      dispose: module.cwrap('dispose', null, []),
    };
    return module;
  } finally {
    // The factory resolves once its whole pool of 8 workers has read both scripts, and tfjs never asks for
    // more threads than that pool holds: no worker looks for the files again.
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * The backend on a started module, its thread pool made with `threads` threads (`setThreadsCount` is
 * tfjs's module-wide setting that BackendWasm's constructor reads).
 */
export function threadedBackend(wasm: typeof import('@tensorflow/tfjs-backend-wasm'), module: ThreadedModule, threads: number): BackendWasm {
  wasm.setThreadsCount(threads);
  try {
    return new wasm.BackendWasm(module);
  } finally {
    // emscripten keeps a Node worker referenced while its thread runs, and tfjs's pool threads run until
    // the backend is disposed: unreferenced, they no longer keep the job's thread (or the process) alive.
    for (const worker of module.PThread.runningWorkers) worker.unref();
  }
}

/**
 * tfjs's C++ sizes its pool at half the logical cores (counting two hyperthreads a core), capped by the
 * count asked for, and reads the cores through this import: report `cores` so that the cap is the count.
 */
function withLogicalCores(binary: CompiledWasm, cores: number): InstantiateWasm {
  return (imports, receive) => {
    if (!('emscripten_num_logical_cores' in imports.env)) throw new Error('this tfjs wasm build no longer imports emscripten_num_logical_cores');
    const instance = new WebAssembly.Instance(binary, { ...imports, env: { ...imports.env, emscripten_num_logical_cores: () => cores } });
    receive(instance, binary);
    return instance.exports;
  };
}

/**
 * The thread workers' script, which tfjs ships inside a template literal. The script is one line: each
 * newline in the string was a `\n` escape in a string of the script, which the template turned into a
 * real one, so it is escaped again (as tfjs does before making its blob).
 */
function threadWorkerSource(): string {
  const { wasmWorkerContents } = require(WORKER_SCRIPT) as { wasmWorkerContents: string };
  return wasmWorkerContents.replace(/\n/g, '\\n');
}
