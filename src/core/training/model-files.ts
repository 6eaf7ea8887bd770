// A model's folder in tfjs layers format (model.json + weights.bin), written from its files (trainer.ts
// modelFiles) and read back, without tfjs-node's file:// handler, which is missing on the wasm and cpu
// backends, and without TensorFlow.js: the main process reads a model to send it to the compute page.
// The folder is replaced whole, so a reader never sees a model.json from one epoch with the weights of another.

import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { weightsFileOf, type ModelFiles } from '../../shared/compute';
import { WorkbenchError } from '../../shared/errors';
import { writeFileAtomic } from '../fs/atomic-write';
import { readJsonFile } from '../fs/json-file';
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

export async function readModelFiles(folder: string): Promise<ModelFiles> {
  const file = modelPaths(folder).model;
  const modelJson = (await readJsonFile(file)) as object | null;
  if (modelJson === null) throw new WorkbenchError('not-found', `The model file ${file} is missing`, { file });
  const weightsFile = join(folder, weightsFileOf(modelJson, file));
  const weights = await readFile(weightsFile).catch(() => {
    throw new WorkbenchError('not-found', `The weights file ${weightsFile} is missing`, { file: weightsFile });
  });
  return { modelJson, weights };
}
