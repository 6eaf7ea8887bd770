import { WorkbenchError } from '../../shared/errors';

export interface SampleOptions {
  frames: number;
  fps: number;
  width: number;
  height: number;
  seed: number;
  /** Fraction of boxes given a wrong label in the extra noisy copy; 0 writes no copy. */
  labelNoise: number;
  /** Also write every frame as a JPEG file. */
  framesDir: boolean;
}

export const SAMPLE_DEFAULTS: SampleOptions = { frames: 1500, fps: 25, width: 1280, height: 720, seed: 1, labelNoise: 0, framesDir: false };

interface Limit {
  min: number;
  max: number;
  integer: boolean;
  even?: boolean;
  flag: string;
}

const LIMITS: Record<Exclude<keyof SampleOptions, 'framesDir'>, Limit> = {
  frames: { min: 1, max: 100_000, integer: true, flag: '--frames' },
  fps: { min: 1, max: 120, integer: false, flag: '--fps' },
  // H.264 in yuv420p needs even sizes.
  width: { min: 160, max: 3840, integer: true, even: true, flag: '--width' },
  height: { min: 120, max: 2160, integer: true, even: true, flag: '--height' },
  seed: { min: 0, max: 4_294_967_295, integer: true, flag: '--seed' },
  labelNoise: { min: 0, max: 0.5, integer: false, flag: '--label-noise' },
};

/** Checks every option against its range, naming the option at fault. */
export function validateSampleOptions(options: SampleOptions): SampleOptions {
  for (const [name, limit] of Object.entries(LIMITS) as [keyof typeof LIMITS, Limit][]) {
    const value = options[name];
    const kind = limit.even ? 'an even whole number' : limit.integer ? 'a whole number' : 'a number';
    const ok = Number.isFinite(value) && value >= limit.min && value <= limit.max && (!limit.integer || Number.isInteger(value)) && (!limit.even || value % 2 === 0);
    if (!ok) {
      throw new WorkbenchError('invalid-request', `${limit.flag} must be ${kind} from ${limit.min} to ${limit.max}, got ${String(value)}`, { field: name });
    }
  }
  return options;
}
