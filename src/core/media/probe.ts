// What a video file or a folder of frames holds: frame size, rate and count, read with the bundled ffmpeg.

import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import type { FrameSize } from '../../shared/annotations';
import { WorkbenchError } from '../../shared/errors';
import { MAX_FRAME_SIDE, type MediaSettings } from '../../shared/project';
import { ffmpegPath } from './ffmpeg';

const IMAGE = /\.(jpe?g|png)$/i;
/** A folder of frames has no rate of its own; this is assumed, and can be changed in project.json. */
export const FRAMES_FPS = 25;

/** A folder of frames as it is on disk: what annotations are matched and checked against. */
export interface FolderFrames {
  /** The image files, in order. */
  frameNames: string[];
  /** Each image's own size, by frame: a folder's images may differ (photo collections do). */
  frameSizes: FrameSize[];
  /** Where the numbers in the file names jump. */
  gaps: string[];
}

export interface ProbedMedia {
  media: MediaSettings;
  /** Null for a video. */
  frames: FolderFrames | null;
}

/** The project's folder of frames as it is now; null when its media is a video or it has none. */
export async function probeFrames(projectDir: string, media: MediaSettings | null): Promise<FolderFrames | null> {
  return media?.kind === 'frames' ? (await probeMedia(projectDir, join(projectDir, media.path))).frames : null;
}

/** The media settings for `path`, named relative to the project folder (inside it or not). Frame files are listed in order. */
export async function probeMedia(projectDir: string, path: string): Promise<ProbedMedia> {
  const info = await stat(path).catch(() => {
    throw new WorkbenchError('not-found', `There is no video or frame folder at ${path}`, { file: path, field: 'media' });
  });
  const relativePath = relative(projectDir, path).split('\\').join('/');
  if (info.isDirectory()) {
    const frames = (await readdir(path)).filter((name) => IMAGE.test(name)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    if (frames.length === 0) throw new WorkbenchError('invalid-request', `${path} holds no .jpg or .png frames`, { file: path, field: 'media' });
    const frameSizes: FrameSize[] = [];
    for (const name of frames) frameSizes.push(await imageSize(join(path, name)));
    return {
      // The first image's size stands for the media's; frameSizes has each one's.
      media: { kind: 'frames', path: relativePath, fps: FRAMES_FPS, frameCount: frames.length, ...frameSizes[0]! },
      frames: { frameNames: frames, frameSizes, gaps: numberingGaps(frames) },
    };
  }
  const { width, height, fps, frames } = await probeVideoStream(path);
  return { media: { kind: 'video', path: relativePath, fps, frameCount: frames, width, height }, frames: null };
}

/** An image's size from its header (nothing is decoded), as sharp will decode it for crops. */
async function imageSize(path: string): Promise<FrameSize> {
  const { width, height } = await sharp(path)
    .metadata()
    .catch((error: Error) => {
      throw new WorkbenchError('invalid-request', `Cannot read the image ${path}: ${error.message}`, { file: path, field: 'media' });
    });
  if (!width || !height || width > MAX_FRAME_SIDE || height > MAX_FRAME_SIDE)
    throw new WorkbenchError('invalid-request', `The image ${path} is ${width}x${height}; an image must be 1 to ${MAX_FRAME_SIDE} pixels a side`, {
      file: path,
      field: 'media',
    });
  return { width, height };
}

/** Where the numbers in frame file names jump (frame_0007.jpg after frame_0004.jpg): frames may be missing there. */
export function numberingGaps(names: string[]): string[] {
  const gaps: string[] = [];
  for (let i = 1; i < names.length; i++) {
    const previous = Number(/(\d+)(?!.*\d)/.exec(names[i - 1]!)?.[1]);
    const current = Number(/(\d+)(?!.*\d)/.exec(names[i]!)?.[1]);
    if (Number.isFinite(previous) && Number.isFinite(current) && current !== previous + 1) gaps.push(`${names[i - 1]} is followed by ${names[i]}`);
  }
  return gaps;
}

/** What a video's first stream is, beyond what project.json keeps: what decides whether an editing proxy helps. */
export interface VideoStream {
  /** The size a player shows (rotation applied), which is also the size ffmpeg decodes to. */
  width: number;
  height: number;
  fps: number;
  frames: number;
  /** ffmpeg's name for the codec: h264, hevc, vp9… */
  codec: string;
  /** When the first frame is shown, in seconds: not 0 for a clip cut from a longer recording. */
  startSeconds: number;
  /** Frames last different times (a phone, a camera that drops frames). */
  variableRate: boolean;
  /** The longest stretch between keyframes, in seconds: a seek decodes up to that much. */
  keyframeGap: number;
}

/**
 * The first video stream, from ffmpeg's description of it. Every packet is listed (no decoding, with
 * framecrc): their count is the frame count, and their time base and duration give the exact rate
 * (24000/1001, not the "23.98" ffmpeg prints, which drifts a frame within two minutes).
 */
export async function probeVideoStream(path: string): Promise<VideoStream> {
  // -copyts keeps the times as the file has them (ffmpeg would otherwise start them at 0).
  const args = ['-hide_banner', '-nostdin', '-i', path, '-map', '0:v:0', '-c', 'copy', '-copyts', '-f', 'framecrc', '-'];
  const { stdout, stderr } = await promisify(execFile)(ffmpegPath(), args, { maxBuffer: 256 * 1024 * 1024 }).catch(
    (error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
  );
  const stream = /Stream #\S+.*Video: (\w+).*?(\d{2,5})x(\d{2,5})/.exec(stderr);
  if (!stream) throw new WorkbenchError('invalid-request', `${path} has no video stream ffmpeg can read`, { file: path, field: 'media' });
  // A phone held upright records landscape pixels and a rotation; players (and ffmpeg's decoder) turn them.
  const rotation = Number(/rotate\s*:\s*(-?\d+)/.exec(stderr)?.[1] ?? /displaymatrix: rotation of (-?[\d.]+)/.exec(stderr)?.[1] ?? 0);
  const turned = Math.abs(Math.round(rotation / 90)) % 2 === 1;
  const [width, height] = turned ? [Number(stream[3]), Number(stream[2])] : [Number(stream[2]), Number(stream[3])];
  const packets = stdout
    .split('\n')
    .filter((line) => /^0,/.test(line))
    .map((line) => line.split(',').map((field) => field.trim()));
  if (packets.length === 0) throw new WorkbenchError('invalid-request', `${path} holds no video frames ffmpeg can read`, { file: path, field: 'media' });
  const timeBase = /#tb 0: (\d+)\/(\d+)/.exec(stdout);
  const seconds = timeBase ? Number(timeBase[1]) / Number(timeBase[2]) : 1 / FRAMES_FPS;
  // Frames in the order they are shown: the steps between their times give the rate, whatever the container stores.
  const times = packets.map((fields) => Number(fields[2])).sort((a, b) => a - b);
  const steps = times.slice(1).map((time, i) => time - times[i]!);
  const typical = [...steps].sort((a, b) => a - b)[Math.floor(steps.length / 2)];
  const printed = Number(/([\d.]+) fps/.exec(stderr)?.[1] ?? FRAMES_FPS);
  const fps = timeBase && typical ? 1 / (seconds * typical) : printed;
  // Packets without flags ("F=0x0" marks the others) are keyframes.
  const keyframes = packets.map((fields) => Number(fields[2])).filter((_, i) => !packets[i]!.some((field) => field.startsWith('F=')));
  // A single keyframe: a seek may decode the whole clip.
  let keyframeGap = keyframes.length < 2 ? packets.length / fps : 0;
  for (let i = 1; i < keyframes.length; i++) keyframeGap = Math.max(keyframeGap, (keyframes[i]! - keyframes[i - 1]!) * seconds);
  return {
    width,
    height,
    fps,
    frames: packets.length,
    codec: stream[1]!,
    startSeconds: times[0]! * seconds,
    // A step a tenth off the typical one is a change of rate (timestamps are rounded to the time base).
    variableRate: typical !== undefined && steps.some((step) => Math.abs(step - typical) > typical / 10),
    keyframeGap,
  };
}
