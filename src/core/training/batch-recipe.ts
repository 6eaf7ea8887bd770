// A batch before its pixels: which crops of which part of the dataset, each with the look augmentation
// drew for it. The workers of a data-parallel run each make their own rows' pixels from it, so that the
// leading worker draws a batch's few numbers rather than making all of its pixels while the others wait.

import type { SplitName } from '../../shared/dataset';
import { augmentCrop, drawLook, type Augmentation, type CropLook } from './augment';
import type { BatchArrays } from './batch';
import type { Prng } from '../util/prng';

/** What batches are made from: the dataset's parts as raw RGB bytes, each crop's class, and the loss's class weights. */
export interface CropSource {
  size: number;
  splits: Record<SplitName, { pixels: Uint8Array; classes: Int32Array }>;
  /** Each class's weight in a training step's loss, or null for an unweighted loss. */
  classWeights: Float32Array | null;
}

export interface BatchRecipe {
  split: SplitName;
  /** The crops' rows in their part. */
  rows: Int32Array;
  /** Each row's look (a training batch's), or null for the crops as they are. */
  looks: CropLook[] | null;
  /** Whether the loss weighs each crop by its class (a training batch's, where the run asked for it). */
  weighted: boolean;
}

/** A training batch of `rows` of the train part, each crop's look drawn from `random` in row order. */
export function trainingRecipe(rows: Int32Array, size: number, augmentation: Augmentation, random: Prng, weighted: boolean): BatchRecipe {
  return { split: 'train', rows, looks: Array.from(rows, () => drawLook(augmentation, size, random)), weighted };
}

/** Rows [from, to) of the recipe's batch: crops as floats in [0, 1], their classes and their loss weights. */
export function makeBatch(recipe: BatchRecipe, source: CropSource, from = 0, to = recipe.rows.length): BatchArrays {
  const { size, classWeights } = source;
  const split = source.splits[recipe.split];
  const pixels = size * size * 3;
  const rows = recipe.rows.subarray(from, to);
  const x = new Float32Array(rows.length * pixels);
  const classes = new Int32Array(rows.length);
  rows.forEach((row, i) => {
    const crop = split.pixels.subarray(row * pixels, (row + 1) * pixels);
    const target = x.subarray(i * pixels, (i + 1) * pixels);
    const look = recipe.looks?.[from + i];
    if (look) augmentCrop(crop, target, size, look);
    else for (let p = 0; p < pixels; p++) target[p] = crop[p]! / 255;
    classes[i] = split.classes[row]!;
  });
  return { x, classes, weights: recipe.weighted && classWeights ? Float32Array.from(classes, (k) => classWeights[k]!) : null };
}
