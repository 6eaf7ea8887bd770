// Writes a model in tfjs layers format (model.json + weights.bin) from its files (trainer.ts modelFiles),
// without tfjs-node's file:// handler, which is missing on the wasm and cpu backends. The folder is
// replaced whole, so a reader never sees a model.json from one epoch with the weights of another.

import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ModelFiles } from '../../shared/compute';
import { writeFileAtomic } from '../fs/atomic-write';
import { replaceWith } from '../fs/replace';
import { modelPaths } from '../project/layout';

export async function writeModelFiles(folder: string, files: ModelFiles): Promise<void> {
  const staging = join(dirname(folder), `.model.partial-${randomBytes(4).toString('hex')}`);
  await mkdir(staging, { recursive: true });
  try {
    await writeFileAtomic(modelPaths(staging).weights, files.weights);
    await writeFileAtomic(modelPaths(staging).model, JSON.stringify(files.modelJson));
    await replaceWith(staging, folder);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
