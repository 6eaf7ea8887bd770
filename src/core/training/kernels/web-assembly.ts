// Node has WebAssembly, but the type libraries here (ES2023 and Node's, no DOM) do not declare it: the
// part of it that we use, typed.

export interface CompiledWasm {
  readonly compiled: unique symbol;
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

export type WasmImports = Record<string, Record<string, unknown>>;

export interface WasmInstance {
  exports: Record<string, unknown>;
}

export const WebAssembly = (
  globalThis as unknown as {
    WebAssembly: {
      compile(bytes: Uint8Array): Promise<CompiledWasm>;
      Module: new (bytes: Uint8Array) => CompiledWasm;
      Instance: new (module: CompiledWasm, imports: WasmImports) => WasmInstance;
    };
  }
).WebAssembly;
