// The wasm module of our own ships as bytes in a TypeScript module; they must be what its source says.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('carries in simd-loops-wasm.ts what simd-loops.wat assembles to', async () => {
  const run = promisify(execFile)(process.execPath, ['scripts/assemble-wasm.mjs', '--check']);
  await expect(run).resolves.toMatchObject({ stderr: '' });
});
