// A built dataset read into memory for training: each part's crops as raw RGB bytes (a quarter of the
// size of floats; batches are converted as they are drawn) and their class indices.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { SPLITS, type DatasetManifest, type SplitName } from '../../shared/dataset';
import { WorkbenchError } from '../../shared/errors';
import { readDatasetManifest } from '../dataset/dataset-manifest';
import { projectPaths } from '../project/layout';

export interface SplitData {
  /** count x size x size x 3 bytes, crop after crop. */
  pixels: Uint8Array;
  /** Index into `labels` of each crop's class. */
  classes: Int32Array;
  /** Index of each crop in the manifest's samples, so a prediction leads back to its frame and box. */
  samples: Int32Array;
  /** Each crop's file in the dataset. */
  files: string[];
  count: number;
}

export interface TrainingData {
  name: string;
  manifest: DatasetManifest;
  labels: string[];
  size: number;
  /** sha256 of the manifest and every crop, in manifest order: the dataset's content, as trained on. */
  hash: string;
  splits: Record<SplitName, SplitData>;
}

/** Crops decoded at once; enough to keep both cores busy without holding many files open. */
const DECODE_CONCURRENCY = 16;

/** Reads the dataset's manifest alone: enough to check options before a job starts. */
export async function readManifest(projectDir: string, name: string): Promise<DatasetManifest> {
  const manifest = await readDatasetManifest(projectDir, name);
  checkTrainable(manifest, projectPaths(projectDir).datasetManifest(name));
  return manifest;
}

/** A dataset a model can learn from and be judged on: two classes or more, and no empty part. */
function checkTrainable(manifest: DatasetManifest, file: string): void {
  for (const split of SPLITS) {
    if (!manifest.samples.some((sample) => sample.split === split)) {
      throw new WorkbenchError(
        'invalid-dataset',
        `Dataset "${manifest.name}" has no ${split} crops: rebuild it with a larger ${split} fraction or more frames`,
        { file, field: split },
      );
    }
  }
  const trained = new Set(manifest.samples.filter((sample) => sample.split === 'train').map((sample) => sample.label));
  if (manifest.labels.length < 2 || trained.size < 2) {
    throw new WorkbenchError(
      'invalid-dataset',
      `Dataset "${manifest.name}" has only one class to train on (${[...trained].join(', ') || 'none'}): a classifier needs two or more`,
      { file, field: 'labels' },
    );
  }
}

export async function loadTrainingData(projectDir: string, name: string, signal: AbortSignal): Promise<TrainingData> {
  const folder = projectPaths(projectDir).dataset(name);
  const manifestFile = projectPaths(projectDir).datasetManifest(name);
  const manifest = await readManifest(projectDir, name);
  const size = manifest.options.size;
  const hash = createHash('sha256').update(await readFile(manifestFile));
  const pixelsPerCrop = size * size * 3;
  const decoded: Buffer[] = new Array(manifest.samples.length);
  for (let start = 0; start < manifest.samples.length; start += DECODE_CONCURRENCY) {
    signal.throwIfAborted();
    const chunk = manifest.samples.slice(start, start + DECODE_CONCURRENCY);
    const buffers = await Promise.all(chunk.map((sample) => decodeCrop(join(folder, sample.file), size)));
    buffers.forEach((buffer, offset) => (decoded[start + offset] = buffer));
  }
  for (const buffer of decoded) hash.update(buffer);

  const splits = Object.fromEntries(
    SPLITS.map((split) => {
      const indices = manifest.samples.flatMap((sample, index) => (sample.split === split ? [index] : []));
      // Shared memory: the workers of a data-parallel run each make their part of a batch from it, where it lies.
      const pixels = new Uint8Array(new SharedArrayBuffer(indices.length * pixelsPerCrop));
      indices.forEach((index, row) => pixels.set(decoded[index]!, row * pixelsPerCrop));
      const classes = Int32Array.from(indices, (index) => manifest.labels.indexOf(manifest.samples[index]!.label));
      const unknown = classes.indexOf(-1);
      if (unknown >= 0) {
        const sample = manifest.samples[indices[unknown]!]!;
        throw new WorkbenchError(
          'invalid-dataset',
          `${sample.file} has label "${sample.label}", which is not among the dataset's labels (${manifest.labels.join(', ')})`,
          { file: manifestFile },
        );
      }
      return [
        split,
        { pixels, classes, samples: Int32Array.from(indices), files: indices.map((index) => manifest.samples[index]!.file), count: indices.length },
      ];
    }),
  ) as Record<SplitName, SplitData>;
  return { name, manifest, labels: manifest.labels, size, hash: hash.digest('hex'), splits };
}

async function decodeCrop(file: string, size: number): Promise<Buffer> {
  const { data, info } = await sharp(file)
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true })
    .catch((error: Error) => {
      throw new WorkbenchError('invalid-dataset', `Crop ${file} cannot be read (${error.message}); rebuild the dataset`, { file });
    });
  if (info.width !== size || info.height !== size || info.channels !== 3) {
    throw new WorkbenchError(
      'invalid-dataset',
      `Crop ${file} is ${info.width}x${info.height} with ${info.channels} channels, but the dataset's size is ${size}x${size} RGB; rebuild the dataset`,
      { file },
    );
  }
  return data;
}
