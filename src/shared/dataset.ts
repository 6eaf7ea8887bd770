// A crop dataset: how it is made from a project's boxes, and the manifest that records what went where.

import type { BoxGeometry } from './annotations';

export type SplitName = 'train' | 'val' | 'test';
export const SPLITS: readonly SplitName[] = ['train', 'val', 'test'];

export interface DatasetOptions {
  /** Every stride-th frame (the study used 20, 40 and 60); 1 takes every frame. */
  stride: number;
  /** Fractions of the clip for train, val and test. */
  split: [number, number, number];
  /** Frames left out between two parts, so near-identical neighbours never straddle a boundary. */
  gap: number;
  /** By time (chronological parts), by track (no person in two parts), or random (warned: it leaks). */
  splitBy: 'time' | 'track' | 'random';
  /** The three classes, or the study's two with ND merged into NM or dropped. */
  classes: 'MW,NM,ND' | 'MW,NM';
  ndPolicy: 'merge' | 'drop';
  balance: 'none' | 'undersample' | 'weights';
  /** The whole person box (as in the study) or its top part, where the face is. */
  crop: 'box' | 'head';
  /** The part of the box's height taken as the head region. */
  headFraction: number;
  /** Added around the crop, as a fraction of its size. */
  padding: number;
  /** Square crops (padded out from the box's centre) or the box's own shape, letterboxed. */
  square: boolean;
  /** The model's input size in pixels (32 to 224). */
  size: number;
  /** Boxes whose shorter side is below this many pixels are left out. */
  minSize: number;
  skipOccluded: boolean;
  /** Also write each crop mirrored (the study's augmentation). */
  flip: boolean;
  /** Also write a copy of each crop slightly shifted, scaled and with other brightness and contrast. */
  jitter: boolean;
  seed: number;
}

export const DATASET_DEFAULTS: DatasetOptions = {
  stride: 20,
  split: [0.7, 0.15, 0.15],
  gap: 50,
  splitBy: 'time',
  classes: 'MW,NM,ND',
  ndPolicy: 'merge',
  balance: 'none',
  crop: 'box',
  headFraction: 0.25,
  padding: 0.1,
  square: true,
  size: 64,
  minSize: 8,
  skipOccluded: false,
  flip: false,
  jitter: false,
  seed: 1,
};

/** How a crop was made: as cut, mirrored, or jittered (shift, scale, brightness, contrast). */
export type CropVariant = 'original' | 'flip' | 'jitter';

/** One crop in the dataset. */
export interface DatasetSample {
  /** Relative to the dataset folder. */
  file: string;
  frame: number;
  trackId: number;
  /** The annotated box, and the region cut from the frame for it. */
  box: BoxGeometry;
  region: BoxGeometry;
  label: string;
  split: SplitName;
  variant: CropVariant;
}

export type ClassCounts = Record<string, number>;

export interface DatasetManifest {
  schema: 1;
  name: string;
  options: DatasetOptions;
  labels: string[];
  counts: Record<SplitName, ClassCounts>;
  /** For balance 'weights': the weight of each class in the training loss. */
  classWeights: Record<string, number> | null;
  /** The media the crops were cut from, so a rebuild reuses crops only from the same video. */
  source: { path: string; bytes: number; modified: number; frameCount: number };
  /** Augmentation written to disk here; augmentation during training is the trainer's own and recorded in its run. */
  augmentation: { materialised: CropVariant[] };
  /** Which frames and tracks went where. */
  splits: Record<SplitName, { frames: [number, number] | null; tracks: number[] }>;
  warnings: string[];
  samples: DatasetSample[];
}

/** The class a box label counts as in a dataset with these options; null when it is left out. */
export function classOf(label: string, options: Pick<DatasetOptions, 'classes' | 'ndPolicy'>): string | null {
  if (label === 'MW' || label === 'NM') return label;
  if (label !== 'ND') return null;
  if (options.classes === 'MW,NM,ND') return 'ND';
  return options.ndPolicy === 'merge' ? 'NM' : null;
}
