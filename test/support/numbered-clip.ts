// Clips whose every frame shows its own index, so that a test can tell which frame a decoder or a
// player really shows: eight bars across the top half, white for a 1 and black for a 0, over a band
// that shifts with the index (so that neighbouring frames differ everywhere, as real ones do).

import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { ffmpegPath } from '../../src/core/media/ffmpeg';

export const NUMBERED = { width: 160, height: 96, frames: 90 } as const;
const BITS = 8;

function frameShowing(index: number): Buffer {
  const { width, height } = NUMBERED;
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = (index >> Math.floor((x * BITS) / width)) & 1;
      const value = y < height / 2 ? (bit ? 255 : 0) : (x + index * 3) % 256;
      rgb.fill(value, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  return rgb;
}

/** Where the bars are read in a picture of `width` x `height`: the middle of each bar's top half. */
export function numberPoints(width: number, height: number): Array<[number, number]> {
  return Array.from({ length: BITS }, (_, bit) => [Math.floor(((bit + 0.5) * width) / BITS), Math.floor(height / 4)]);
}

/** The index a picture shows, from the brightness (0 to 255) at each of numberPoints. */
export function numberFrom(values: number[]): number {
  return values.reduce((number, value, bit) => (value > 127 ? number | (1 << bit) : number), 0);
}

/** The index a raw RGB frame shows. */
export function numberInRgb(rgb: Buffer, width: number, height: number): number {
  return numberFrom(numberPoints(width, height).map(([x, y]) => rgb[(y * width + x) * 3]!));
}

/**
 * Encodes the numbered frames at 25 fps. `output` are ffmpeg output options: the codec (H.264 by
 * default, with a keyframe every 60 frames) and anything that changes the frames' times.
 */
export async function numberedClip(path: string, output: string[] = []): Promise<void> {
  const raw = `${path}.rgb`;
  await writeFile(raw, Buffer.concat(Array.from({ length: NUMBERED.frames }, (_, i) => frameShowing(i))));
  const input = ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${NUMBERED.width}x${NUMBERED.height}`, '-r', '25', '-i', raw];
  const codec = output.includes('-c:v') ? [] : ['-c:v', 'libx264', '-g', '60'];
  await promisify(execFile)(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-y', ...input, ...codec, '-pix_fmt', 'yuv420p', ...output, path]);
  await rm(raw);
}
