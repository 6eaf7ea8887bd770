// A people detector: a TensorFlow.js graph model and its description (detector.json), read from a folder
// without tfjs-node's file:// handler, which the wasm and cpu backends lack. Maskbench bundles one
// (models/people-nanodet); a user may choose any folder laid out the same way.

import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { DETECTOR_FILE, detectorDescriptionSchema, type DetectorDescription } from '../../shared/detect';
import { WorkbenchError } from '../../shared/errors';
import { read } from '../../shared/schema';
import { readJsonFile } from '../fs/json-file';

export interface Detector {
  description: DetectorDescription;
  /** The folder it was read from. */
  folder: string;
  model: GraphModel;
}

/** The bundled people detector's folder. */
export function bundledDetectorFolder(): string {
  return bundledModelFolder('people-nanodet', DETECTOR_FILE);
}

/**
 * A model Maskbench ships, in models/`name`, found by `file`. The app's root is found by walking up from
 * this module: it runs from src/ under the tests, from out/main/ once built, and from inside the packaged
 * app's archive, beside which the models are unpacked (build/electron-builder.yml), as plain files any
 * thread can read.
 */
export function bundledModelFolder(name: string, file: string): string {
  const bundled = join('models', name);
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(folder, bundled).replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
    if (existsSync(join(candidate, file))) return candidate;
    const parent = dirname(folder);
    if (parent === folder) throw new WorkbenchError('not-found', `The bundled model ${bundled} is missing from this installation`);
    folder = parent;
  }
}

interface WeightsGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

/** Reads `folder` (the bundled detector when null) and loads its model on the active backend. */
export async function loadDetector(folder: string | null): Promise<Detector> {
  const at = folder === null ? bundledDetectorFolder() : resolve(folder);
  const isFolder = await stat(at).then(
    (info) => info.isDirectory(),
    () => {
      throw new WorkbenchError('not-found', `The detector folder ${at} does not exist`, { file: at });
    },
  );
  if (!isFolder) throw new WorkbenchError('not-a-directory', `${at} is not a folder: a detector is a folder with ${DETECTOR_FILE} and its model`, { file: at });
  const descriptionFile = join(at, DETECTOR_FILE);
  const json = await readJsonFile(descriptionFile);
  if (json === null) throw new WorkbenchError('not-found', `${at} has no ${DETECTOR_FILE} describing its model`, { file: descriptionFile });
  const description = read(detectorDescriptionSchema, json, { file: descriptionFile, code: 'invalid-request' });
  if (description.output.person >= description.output.classes)
    throw new WorkbenchError(
      'invalid-request',
      `${descriptionFile}: "output.person" must be a class below "output.classes" (${description.output.classes}), got ${description.output.person}`,
      { file: descriptionFile, field: 'output.person' },
    );
  const model = await readGraphModel(join(at, description.model));
  return { description, folder: at, model };
}

/** A TensorFlow.js graph model from its model.json and the weights it lists, on the active backend. */
export async function readGraphModel(file: string): Promise<GraphModel> {
  const json = (await readJsonFile(file)) as { format?: unknown; modelTopology?: unknown; weightsManifest?: WeightsGroup[] } | null;
  if (json === null) throw new WorkbenchError('not-found', `The model file ${file} is missing`, { file });
  // A layers model (what training writes) has a topology of another kind: loading it as a graph fails obscurely.
  if (json.format !== 'graph-model' || typeof json.modelTopology !== 'object' || !Array.isArray(json.weightsManifest))
    throw new WorkbenchError(
      'invalid-request',
      `${file} is not a TensorFlow.js graph model (its "format" must be "graph-model", with a topology and a weights manifest)`,
      {
        file,
      },
    );
  const groups = json.weightsManifest;
  const buffers = await Promise.all(
    groups.flatMap((group) =>
      group.paths.map((path) => {
        const weights = join(dirname(file), path);
        return readFile(weights).catch(() => {
          throw new WorkbenchError('not-found', `The weights file ${weights} that ${file} lists is missing`, { file: weights });
        });
      }),
    ),
  );
  const weightData = Buffer.concat(buffers);
  try {
    return await loadGraphModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology as object,
        weightSpecs: groups.flatMap((group) => group.weights),
        weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
      }),
    );
  } catch (error) {
    throw new WorkbenchError('invalid-request', `${file} could not be loaded as a graph model: ${(error as Error).message}`, { file });
  }
}
