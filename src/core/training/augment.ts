// Augmentation on the fly, drawn afresh for every crop in every epoch (the dataset's flips and jitters
// are fixed copies on disk; these never repeat). Neighbouring frames of a video look alike, so without
// this a model learns the few people it saw — their hair, their clothes — rather than the face.

import type { Prng } from '../util/prng';

export interface Augmentation {
  /** Mirror half the crops left to right. */
  flip: boolean;
  /** Largest shift, as a fraction of the crop's side. */
  shift: number;
  /** Largest change of brightness, contrast and each colour channel's gain, as a fraction. */
  colour: number;
}

export function augmentationOf(options: { augmentFlip: boolean; augmentShift: number; augmentColour: number }): Augmentation {
  return { flip: options.augmentFlip, shift: options.augmentShift, colour: options.augmentColour };
}

/** How one crop is drawn: mirrored or not, shifted by (dx, dy) px, and recoloured. */
export interface CropLook {
  flip: boolean;
  dx: number;
  dy: number;
  contrast: number;
  brightness: number;
  /** Each colour channel's. */
  gains: [number, number, number];
}

/** A look drawn at random within `augmentation`, for a crop of `size` px. */
export function drawLook(augmentation: Augmentation, size: number, random: Prng): CropLook {
  const flip = augmentation.flip && random.next() < 0.5;
  const maxShift = Math.round(augmentation.shift * size);
  const dx = maxShift ? Math.round((random.next() * 2 - 1) * maxShift) : 0;
  const dy = maxShift ? Math.round((random.next() * 2 - 1) * maxShift) : 0;
  const jitter = () => (augmentation.colour ? 1 + (random.next() * 2 - 1) * augmentation.colour : 1);
  const contrast = jitter();
  const brightness = (jitter() - 1) * 0.5;
  return { flip, dx, dy, contrast, brightness, gains: [jitter(), jitter(), jitter()] };
}

/** Writes `source` (size x size x 3 bytes) into `target` as floats in [0, 1], as `look` has it (edges repeated where shifted). */
export function augmentCrop(source: Uint8Array, target: Float32Array, size: number, { flip, dx, dy, contrast, brightness, gains }: CropLook): void {
  const clampIndex = (value: number) => (value < 0 ? 0 : value >= size ? size - 1 : value);
  for (let y = 0; y < size; y++) {
    const sourceRow = clampIndex(y - dy) * size;
    for (let x = 0; x < size; x++) {
      const sourceX = clampIndex((flip ? size - 1 - x : x) - dx);
      const from = (sourceRow + sourceX) * 3;
      const to = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) {
        const value = ((source[from + c]! / 255 - 0.5) * contrast + 0.5 + brightness) * gains[c]!;
        target[to + c] = value < 0 ? 0 : value > 1 ? 1 : value;
      }
    }
  }
}
