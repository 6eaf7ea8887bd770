// The sample generator's options, each with its range and default declared once.

import { decimal, fields, flag, oneOf, read, v, whole, type Input, type Output } from '../../shared/schema';
import { NOISE_SHAPES } from './label-noise';

/** H.264 in yuv420p needs even sizes. */
function evenWhole(min: number, max: number) {
  const expected = `an even whole number from ${min} to ${max}`;
  return v.pipe(
    whole(min, max, expected),
    v.check((value) => value % 2 === 0, expected),
  );
}

export const sampleOptionsSchema = fields({
  frames: v.optional(whole(1, 100_000), 1500),
  fps: v.optional(decimal(1, 120), 25),
  width: v.optional(evenWhole(160, 3840), 1280),
  height: v.optional(evenWhole(120, 2160), 720),
  seed: v.optional(whole(0, 4_294_967_295), 1),
  /** Fraction of boxes given a wrong label in the extra noisy copy; 0 writes no copy. */
  labelNoise: v.optional(decimal(0, 0.5), 0),
  /** The shape of those mistakes (see NoiseShape). */
  noiseShape: v.optional(oneOf(NOISE_SHAPES), 'runs'),
  /** Also write every frame as a JPEG file. */
  framesDir: v.optional(flag(), false),
});

export type SampleOptions = Output<typeof sampleOptionsSchema>;

export const SAMPLE_DEFAULTS: SampleOptions = read(sampleOptionsSchema, {});

/** Checks every option against its range, naming the option at fault, and fills in the defaults. */
export function readSampleOptions(options: Input<typeof sampleOptionsSchema>): SampleOptions {
  return read(sampleOptionsSchema, options);
}
