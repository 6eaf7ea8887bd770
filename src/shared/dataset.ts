// A crop dataset: how it is made from a project's boxes, and the manifest that records what went where.

import type { BoxGeometry } from './annotations';
import { decimal, fields, flag, oneOf, read, v, whole, type Output } from './schema';

export type SplitName = 'train' | 'val' | 'test';
export const SPLITS: readonly SplitName[] = ['train', 'val', 'test'];

const fraction = decimal(0, 1);

/** How a dataset is cut from a project's boxes: each option's type, range and default, declared once. */
export const datasetOptionsSchema = fields({
  /** Every stride-th frame (the study used 20, 40 and 60); 1 takes every frame. */
  stride: v.optional(whole(1, 1_000_000), 20),
  /** Fractions of the clip for train, val and test. */
  split: v.optional(
    v.pipe(
      v.tuple([fraction, fraction, fraction], 'three fractions (train, val, test)'),
      v.check(
        ([train, val, test]) => Math.abs(train + val + test - 1) <= 1e-6 && train > 0,
        'three fractions (train, val, test) that add up to 1, with train above 0',
      ),
    ),
    [0.7, 0.15, 0.15],
  ),
  /** Frames left out between two parts, so near-identical neighbours never straddle a boundary. */
  gap: v.optional(whole(0, 1_000_000), 50),
  /**
   * By time (chronological parts), by track (no person in two parts), by image (no photo in two parts), or
   * random (warned: it leaks); auto is by image for a collection of photos (stills) and by time otherwise.
   */
  splitBy: v.optional(oneOf(['auto', 'time', 'track', 'image', 'random']), 'auto'),
  /** The three classes, or the study's two with ND merged into NM or dropped. */
  classes: v.optional(oneOf(['MW,NM,ND', 'MW,NM']), 'MW,NM,ND'),
  ndPolicy: v.optional(oneOf(['merge', 'drop']), 'merge'),
  balance: v.optional(oneOf(['none', 'undersample', 'weights']), 'none'),
  /** The whole person box (as in the study) or its top part, where the face is. */
  crop: v.optional(oneOf(['box', 'head']), 'box'),
  /** The part of the box's height taken as the head region. */
  headFraction: v.optional(decimal(0, 1, { above: true }), 0.25),
  /**
   * The head region's width: the box's (squared, it takes in the shoulders and whoever walks beside), or
   * the head's own, as wide as the head part is tall.
   */
  headWidth: v.optional(oneOf(['box', 'head']), 'box'),
  /** Added around the crop, as a fraction of its size. */
  padding: v.optional(fraction, 0.1),
  /** Square crops (padded out from the box's centre) or the box's own shape, letterboxed. */
  square: v.optional(flag(), true),
  /** The model's input size in pixels. */
  size: v.optional(whole(32, 224), 64),
  /** Boxes whose shorter side is below this many pixels are left out. */
  minSize: v.optional(decimal(0, 100_000), 8),
  skipOccluded: v.optional(flag(), false),
  /** Also write each crop mirrored (the study's augmentation). */
  flip: v.optional(flag(), false),
  /** Also write a copy of each crop slightly shifted, scaled and with other brightness and contrast. */
  jitter: v.optional(flag(), false),
  seed: v.optional(whole(0, 4_294_967_295), 1),
});

export type DatasetOptions = Output<typeof datasetOptionsSchema>;

/** How a dataset was split, once auto has been decided for the project. */
export type SplitBy = Exclude<DatasetOptions['splitBy'], 'auto'>;

/** A dataset's name is its folder's name under datasets/. */
export const datasetNameSchema = v.pipe(
  v.string('a name'),
  v.regex(/^(?!\.)[\w.-]{1,64}$/, '1 to 64 letters, digits, dots, dashes or underscores, not starting with a dot'),
);

export const DATASET_DEFAULTS: DatasetOptions = read(datasetOptionsSchema, {});

/** The defaults for a project's media: photos (stills) are not near-identical neighbours as frames are, so all are taken. */
export function datasetDefaultsFor(stills: boolean): DatasetOptions {
  return stills ? { ...DATASET_DEFAULTS, stride: 1 } : DATASET_DEFAULTS;
}

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
  /** Set on a cross-fit's fold dataset: the run cross-fitted, whose cross-fit alone may remove it. Any other dataset is the user's. */
  foldOf?: string;
}

/** Fewer crops of a class than this in a part make that part's figures for the class mostly noise. */
export const FEW_CROPS = 20;

/** How well each part of a dataset covers each class: what training cannot learn, and what it cannot judge. */
export interface ClassCoverage {
  /** Classes with no crop in train, and the crops the other parts hold of them. */
  untrained: Array<{ label: string; elsewhere: Partial<Record<SplitName, number>> }>;
  /** A class with fewer than FEW_CROPS crops in a part (none included), in part then class order. */
  few: Array<{ label: string; split: SplitName; count: number }>;
}

export function classCoverage(labels: string[], counts: Record<SplitName, ClassCounts>): ClassCoverage {
  const count = (split: SplitName, label: string) => counts[split][label] ?? 0;
  return {
    untrained: labels
      .filter((label) => count('train', label) === 0)
      .map((label) => ({
        label,
        elsewhere: Object.fromEntries(SPLITS.filter((split) => count(split, label) > 0).map((split) => [split, count(split, label)])),
      })),
    few: SPLITS.flatMap((split) => labels.filter((label) => count(split, label) < FEW_CROPS).map((label) => ({ label, split, count: count(split, label) }))),
  };
}

/** "MW has no crops in train (val 12, test 30)", or null when every class has some. */
export function describeUntrained({ untrained }: ClassCoverage): string | null {
  if (untrained.length === 0) return null;
  const one = ({ label, elsewhere }: ClassCoverage['untrained'][number]) => {
    const held = Object.entries(elsewhere).map(([split, count]) => `${split} ${count}`);
    return `${label} has no crops in train${held.length ? ` (${held.join(', ')})` : ''}`;
  };
  return untrained.map(one).join('; ');
}

/** One line per thin part: "val has 3 MW crops (fewer than 20): its figures for MW are mostly noise". */
export function describeFew({ few }: ClassCoverage): string[] {
  return few.map(({ label, split, count }) =>
    count === 0
      ? `${split} has no ${label} crops: ${split === 'train' ? 'the model cannot learn it' : `the ${split} figures never judge ${label}`}`
      : `${split} has ${count} ${label} crop${count === 1 ? '' : 's'} (fewer than ${FEW_CROPS}): its figures for ${label} are mostly noise`,
  );
}

/** The class a box label counts as in a dataset with these options; null when it is left out. */
export function classOf(label: string, options: Pick<DatasetOptions, 'classes' | 'ndPolicy'>): string | null {
  if (label === 'MW' || label === 'NM') return label;
  if (label !== 'ND') return null;
  if (options.classes === 'MW,NM,ND') return 'ND';
  return options.ndPolicy === 'merge' ? 'NM' : null;
}

/** What building a dataset ends with. */
export interface DatasetSummary {
  name: string;
  path: string;
  crops: number;
  /** Crops copied unchanged from the previous build of the same dataset. */
  reused: number;
  counts: DatasetManifest['counts'];
  warnings: string[];
  seconds: number;
  cropsPerSecond: number;
}
