// Frames as raw RGB, each decoded once: every stride-th frame of a video through the bundled ffmpeg,
// or image files (of any size) through sharp.

import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { WorkbenchError } from '../../shared/errors';
import { frameSize, type Sized } from '../../shared/frame-sizes';
import { ffmpegPath } from './ffmpeg';

export interface RawFrame {
  frame: number;
  width: number;
  height: number;
  rgb: Buffer;
}

/** Frames handed out before `use` has finished with earlier ones: decoding goes on while crops are cut. */
const IN_FLIGHT = 4;

/**
 * Calls `use` for frames 0, stride, 2*stride… of the video, in order, with at most a few frames being
 * used at once (so memory stays bounded). Stops early when `signal` aborts.
 */
export async function decodeVideoFrames(
  path: string,
  width: number,
  height: number,
  stride: number,
  expected: number,
  signal: AbortSignal,
  use: (frame: RawFrame) => Promise<void>,
): Promise<void> {
  // Passthrough timing always: otherwise ffmpeg pads or drops frames to a constant rate (a video that
  // starts late, or varies its rate), and frame n of the output is no longer frame n of the video.
  const filter = [...(stride === 1 ? [] : ['-vf', `select='not(mod(n\\,${stride}))'`]), '-vsync', '0'];
  const child = spawn(
    ffmpegPath(),
    ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', path, ...filter, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const size = width * height * 3;
  // Chunks are gathered and joined once per frame: joining on every 64 KB chunk would copy each frame
  // dozens of times over.
  let chunks: Buffer[] = [];
  let gathered = 0;
  let index = 0;
  const working = new Set<Promise<void>>();
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      signal.throwIfAborted();
      chunks.push(chunk);
      gathered += chunk.length;
      while (gathered >= size) {
        const joined = Buffer.concat(chunks, gathered);
        const task = use({ frame: index * stride, width, height, rgb: joined.subarray(0, size) });
        working.add(task);
        void task.finally(() => working.delete(task)).catch(() => {});
        if (working.size >= IN_FLIGHT) await Promise.race(working);
        index++;
        chunks = gathered > size ? [joined.subarray(size)] : [];
        gathered -= size;
      }
    }
    await Promise.all(working);
  } finally {
    child.kill();
    // Nothing may still be writing when the caller cleans up after a cancel or a failure.
    await Promise.allSettled(working);
  }
  const code = await exited;
  if (code !== 0 && code !== null)
    throw new WorkbenchError('io-error', `ffmpeg could not decode ${path}: ${stderr.trim() || `exit code ${code}`}`, { file: path });
  // The annotations number the video's frames; a decoder that yields another count would shift every crop.
  if (index !== expected) {
    throw new WorkbenchError(
      'io-error',
      `${path} decoded to ${index * stride} frames at stride ${stride} (${index} taken), where the project counts ${expected} taken frames: the video's frames cannot be matched to the annotations`,
      { file: path },
    );
  }
}

/**
 * Frame `frame` of the video alone, as raw RGB. ffmpeg decodes from the start up to it: seeking lands on
 * timestamps, which need not match the frame numbers the annotations use.
 */
export async function decodeVideoFrame(path: string, width: number, height: number, frame: number): Promise<RawFrame> {
  // Passthrough timing, as in decodeVideoFrames, so that n counts the same frames.
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-i',
    path,
    '-vf',
    `select='eq(n\\,${frame})'`,
    '-vsync',
    '0',
    '-frames:v',
    '1',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];
  // -frames:v 1 bounds the output to one frame, whatever its size.
  const { stdout } = await promisify(execFile)(ffmpegPath(), args, { encoding: 'buffer', maxBuffer: Infinity }).catch((error: Error & { stderr?: Buffer }) => {
    throw new WorkbenchError('io-error', `ffmpeg could not decode frame ${frame} of ${path}: ${error.stderr?.toString().trim() || error.message}`, {
      file: path,
    });
  });
  const size = width * height * 3;
  if (stdout.length === 0) throw new WorkbenchError('io-error', `${path} has no frame ${frame}`, { file: path });
  if (stdout.length !== size) throw new WorkbenchError('io-error', `Frame ${frame} of ${path} is not ${width}x${height} as the project says`, { file: path });
  return { frame, width, height, rgb: stdout };
}

/**
 * Frame `frame` of a folder of images: its file as raw RGB, at its own size, which must be the size its
 * boxes were drawn on (each photo of a collection has its own); one changed since is refused by name.
 */
export async function decodeFolderFrame(folder: string, annotations: Sized & { frameNames: string[] }, frame: number): Promise<RawFrame> {
  const path = join(folder, annotations.frameNames[frame]!);
  const raw = await decodeImage(path, frame);
  const { width, height } = frameSize(annotations, frame);
  if (raw.width !== width || raw.height !== height) {
    throw new WorkbenchError(
      'io-error',
      `${path} is ${raw.width}x${raw.height}, but its boxes were drawn on a ${width}x${height} image: the file has changed since; import its annotations again`,
      { file: path },
    );
  }
  return raw;
}

/** One image file as raw RGB, at its own size. */
async function decodeImage(path: string, frame: number): Promise<RawFrame> {
  const { data, info } = await sharp(path)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
    .catch((error: Error) => {
      throw new WorkbenchError('io-error', `Cannot read the frame image ${path}: ${error.message}`, { file: path });
    });
  return { frame, width: info.width, height: info.height, rgb: data };
}
