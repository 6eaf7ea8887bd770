// Who is where in each frame, and the frames themselves.

import type { Camera } from './camera';
import type { Pedestrian, PersonState } from './cast';
import { posePerson, type Pose } from './pose';
import { drawShadow, drawShapes, type Frame } from './raster';
import { Prng } from '../util/prng';

export interface PersonInFrame {
  person: Pedestrian;
  state: PersonState;
  pose: Pose;
}

/** The people in frame `frame`, farthest first (the order they are drawn in). */
export function peopleInFrame(camera: Camera, cast: Pedestrian[], frame: number): PersonInFrame[] {
  const present: PersonInFrame[] = [];
  for (const person of cast) {
    const state = person.states[frame - person.firstFrame];
    if (state) present.push({ person, state, pose: posePerson(camera, person.appearance, state) });
  }
  return present.sort((a, b) => b.state.z - a.state.z || a.person.id - b.person.id);
}

/** How much frames vary over time: lighting that drifts, and sensor noise. */
export class FrameRenderer {
  private readonly noise: Int8Array;
  private readonly noiseOffsets: Uint32Array;
  private readonly phases: number[];
  private readonly scratch: Frame;

  constructor(
    camera: Camera,
    private readonly background: Uint8Array,
    private readonly fps: number,
    random: Prng,
  ) {
    const pixels = camera.width * camera.height;
    // One table of noise, read from a different place in each frame: fast, and it never repeats visibly.
    this.noise = new Int8Array(pixels * 3 + 3 * 4099);
    for (let i = 0; i < this.noise.length; i += 3) {
      const luma = gaussian(random) * 2.6;
      this.noise[i] = Math.round(luma + gaussian(random) * 1.1);
      this.noise[i + 1] = Math.round(luma + gaussian(random) * 0.9);
      this.noise[i + 2] = Math.round(luma + gaussian(random) * 1.3);
    }
    this.noiseOffsets = Uint32Array.from({ length: 997 }, () => 3 * Math.floor(random.next() * 4099));
    this.phases = [random.range(0, 6.3), random.range(0, 6.3), random.range(0, 6.3)];
    this.scratch = { width: camera.width, height: camera.height, rgb: new Uint8Array(background.length) };
  }

  /** Frame `frame` as RGB bytes, in a new buffer the caller may keep. */
  render(frame: number, people: PersonInFrame[]): Buffer {
    const scratch = this.scratch;
    scratch.rgb.set(this.background);
    for (const { pose } of people) drawShadow(scratch, pose.shadow.cx, pose.shadow.cy, pose.shadow.rx, pose.shadow.ry, 0.35);
    for (const { pose } of people) drawShapes(scratch, pose.shapes, pose.body);

    const t = frame / this.fps;
    const [p0, p1, p2] = this.phases as [number, number, number];
    const gain = 1 + 0.07 * Math.sin((2 * Math.PI * t) / 47 + p0) + 0.03 * Math.sin((2 * Math.PI * t) / 11 + p1);
    const warm = 0.025 * Math.sin((2 * Math.PI * t) / 61 + p2);
    const lutR = lookup(gain * (1 + warm));
    const lutG = lookup(gain);
    const lutB = lookup(gain * (1 - warm));
    const out = Buffer.allocUnsafe(scratch.rgb.length);
    const clamped = new Uint8ClampedArray(out.buffer, out.byteOffset, out.length);
    const src = scratch.rgb;
    const noise = this.noise;
    const offset = this.noiseOffsets[frame % this.noiseOffsets.length]!;
    for (let i = 0, n = src.length; i < n; i += 3) {
      clamped[i] = lutR[src[i]!]! + noise[offset + i]!;
      clamped[i + 1] = lutG[src[i + 1]!]! + noise[offset + i + 1]!;
      clamped[i + 2] = lutB[src[i + 2]!]! + noise[offset + i + 2]!;
    }
    return out;
  }
}

function lookup(gain: number): Int16Array {
  const table = new Int16Array(256);
  for (let v = 0; v < 256; v++) table[v] = Math.round(v * gain);
  return table;
}

function gaussian(random: Prng): number {
  // Irwin-Hall: the sum of four uniforms, centred and scaled to unit variance; cheap and good enough for noise.
  return (random.next() + random.next() + random.next() + random.next() - 2) * 1.7320508;
}
