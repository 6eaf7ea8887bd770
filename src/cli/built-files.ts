// The built CLI (out/main/cli.js) sits beside out/main/worker.js and out/renderer.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StartReplica } from '../core/training/parallel/data-parallel';
import { replicasFrom } from '../core/worker/tasks';

/** A path relative to the built CLI. */
export function builtFile(relative: string): string {
  return fileURLToPath(new URL(relative, import.meta.url));
}

/**
 * How a run trained by this process starts the other workers that share its steps (as the app's runs
 * do): threads of the built worker script. Run from source (the unit tests) there is none, and a run
 * trains in its thread alone, on wasm threads.
 */
export function replicasHere(): StartReplica | undefined {
  const script = builtFile('./worker.js');
  return existsSync(script) ? replicasFrom(script) : undefined;
}
