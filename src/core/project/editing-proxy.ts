// The editing proxy: the project's video re-encoded once, in the background, so that the window can seek
// in it fast however long or sharp the original is. Only the window plays it; crops, datasets and
// predictions read the original. It is a fragmented MP4 with a keyframe every few frames, one fragment
// each, whose index the window uses to fetch just the fragment a seek needs: a media player seeking in a
// large file reads far more, and on an hour of video that alone costs a tenth of a second.
//
// Frame n of the proxy is frame n of the original, shown at n / fps: frames are passed through one for
// one (never padded or dropped to a constant rate) and retimed, so a variable-rate original or one that
// starts late plays in the proxy with exactly the frame numbers the annotations use.

import { spawn } from 'node:child_process';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { WorkbenchError } from '../../shared/errors';
import type { FragmentIndex, MediaSettings } from '../../shared/project';
import { fields, finite, list, read, text, v, type Output } from '../../shared/schema';
import { readJsonFile, writeJsonFile } from '../fs/json-file';
import { ffmpegPath } from '../media/ffmpeg';
import { readFragmentIndex } from '../media/mp4-fragments';
import { probeVideoStream, type VideoStream } from '../media/probe';
import { projectPaths } from './layout';

/** The proxy fits in this (a window's picture rarely needs more), and is never larger than the original. */
export const PROXY_BOX = { width: 1280, height: 720 } as const;
/** A keyframe (and a fragment) every this many frames exactly, without B-frames: a seek decodes at most this many. */
export const PROXY_KEYFRAME_INTERVAL = 10;
/** Keyframes further apart than this make seeks slow enough to notice. */
const SLOW_KEYFRAME_GAP_S = 2;
/**
 * A video longer than this is jumped about in slowly however it is encoded (an hour at 640x360 with
 * keyframes 2 s apart: worst of 20 jumps 300 ms on the original, 79 ms with the proxy, whose fragments
 * the window fetches itself).
 */
const LONG_VIDEO_S = 10 * 60;
/** Codecs Chromium (and so Electron) decodes everywhere, in software. */
const PLAYABLE_CODECS = new Set(['h264', 'vp8', 'vp9', 'av1']);
/** Proxy timestamps count in 90 kHz ticks, as MPEG does: a frame's time is exact to a tick at any common rate. */
const TICKS_PER_SECOND = 90_000;
/** Bump when the proxy's making changes, so that proxies made the old way are made again. */
const PROXY_VERSION = 2;

const manifestSchema = fields({
  version: v.literal(PROXY_VERSION, `version ${PROXY_VERSION}`),
  /** The original as it was when the proxy was made. */
  source: fields({ path: text(), bytes: finite(), modifiedMs: finite(), frameCount: finite() }),
  width: finite(),
  height: finite(),
  bytes: finite(),
  seconds: finite(),
  madeAt: text(),
  index: fields({ codec: text(), header: finite(), fragments: list(finite()), end: finite(), framesPerFragment: finite() }),
});
export type ProxyManifest = Output<typeof manifestSchema>;

/** Why the window would seek slowly in, or cannot play, a video as it is; empty when it plays well as it is. */
export function proxyReasons(stream: VideoStream): string[] {
  const reasons: string[] = [];
  if (!PLAYABLE_CODECS.has(stream.codec)) reasons.push(`its codec (${stream.codec}) may not play in the window`);
  if (stream.width > PROXY_BOX.width || stream.height > PROXY_BOX.height) reasons.push(`it is ${stream.width}x${stream.height}`);
  if (stream.keyframeGap > SLOW_KEYFRAME_GAP_S) reasons.push(`its keyframes are up to ${stream.keyframeGap.toFixed(1)} s apart`);
  if (stream.variableRate) reasons.push('its frame rate varies');
  if (Math.abs(stream.startSeconds) > 1e-3) reasons.push(`it starts at ${stream.startSeconds.toFixed(3)} s`);
  if (stream.frames / stream.fps > LONG_VIDEO_S) reasons.push(`it lasts ${Math.round(stream.frames / stream.fps / 60)} minutes`);
  return reasons;
}

/** The proxy's size: the original's, shrunk to fit PROXY_BOX, in even numbers (as H.264 needs). */
export function proxySize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, PROXY_BOX.width / width, PROXY_BOX.height / height);
  const even = (value: number) => Math.max(2, 2 * Math.round((value * scale) / 2));
  return { width: even(width), height: even(height) };
}

/** The project's video as the proxy was made from it, judged by size and time, and the frames the project counts. */
async function sourceOf(projectDir: string, media: MediaSettings): Promise<ProxyManifest['source']> {
  const path = resolve(projectDir, media.path);
  const info = await stat(path);
  return { path, bytes: info.size, modifiedMs: Math.floor(info.mtimeMs), frameCount: media.frameCount };
}

/** The proxy's path when one was made from the project's video as it is now; null when there is none, or the original changed since. */
export async function readyProxy(projectDir: string, media: MediaSettings | null): Promise<string | null> {
  return (await readyManifest(projectDir, media)) ? projectPaths(projectDir).proxyVideo : null;
}

/** Where the ready proxy's fragments lie; null when there is no ready proxy. */
export async function proxyIndex(projectDir: string, media: MediaSettings | null): Promise<FragmentIndex | null> {
  return (await readyManifest(projectDir, media))?.index ?? null;
}

async function readyManifest(projectDir: string, media: MediaSettings | null): Promise<ProxyManifest | null> {
  if (media?.kind !== 'video') return null;
  const paths = projectPaths(projectDir);
  try {
    const manifest = read(manifestSchema, await readJsonFile(paths.proxyManifest), { file: paths.proxyManifest });
    const source = await sourceOf(projectDir, media);
    const same = (Object.keys(source) as Array<keyof typeof source>).every((key) => manifest.source[key] === source[key]);
    return same && (await stat(paths.proxyVideo)).size === manifest.bytes ? manifest : null;
  } catch {
    // No proxy, or one that cannot be trusted: it is made again.
    return null;
  }
}

/**
 * Makes the proxy of the project's video: every frame, in order, at the project's rate, shrunk to fit
 * PROXY_BOX, with a keyframe every few frames. The finished file replaces an older proxy only once its
 * frames have been counted; a cancelled or failed making leaves the old one (or none) and no partial file.
 */
export async function makeEditingProxy(
  projectDir: string,
  media: MediaSettings,
  signal: AbortSignal,
  progress: (done: number, total: number) => void,
): Promise<ProxyManifest> {
  const paths = projectPaths(projectDir);
  const source = await sourceOf(projectDir, media);
  const size = proxySize(media.width, media.height);
  await mkdir(paths.proxy, { recursive: true });
  const making = `${paths.proxyVideo}.making.mp4`;
  const started = performance.now();
  let index: FragmentIndex;
  try {
    await encode(source.path, making, media, size, signal, progress);
    const made = await probeVideoStream(making);
    index = await readFragmentIndex(making, PROXY_KEYFRAME_INTERVAL);
    const fragments = Math.ceil(media.frameCount / PROXY_KEYFRAME_INTERVAL);
    if (made.frames !== media.frameCount || index.fragments.length !== fragments) {
      throw new WorkbenchError(
        'io-error',
        `The editing proxy of ${source.path} came out with ${made.frames} frames in ${index.fragments.length} fragments where the video has ${media.frameCount} frames (${fragments} fragments): it is not used`,
        { file: source.path },
      );
    }
    await rename(making, paths.proxyVideo);
  } finally {
    await rm(making, { force: true });
  }
  const manifest: ProxyManifest = {
    version: PROXY_VERSION,
    source,
    ...size,
    bytes: (await stat(paths.proxyVideo)).size,
    seconds: (performance.now() - started) / 1000,
    madeAt: new Date().toISOString(),
    index,
  };
  await writeJsonFile(paths.proxyManifest, manifest);
  return manifest;
}

/** Runs ffmpeg over the whole video, reporting frames done from its -progress output. */
async function encode(
  original: string,
  output: string,
  media: MediaSettings,
  size: { width: number; height: number },
  signal: AbortSignal,
  progress: (done: number, total: number) => void,
): Promise<void> {
  signal.throwIfAborted();
  // Passthrough: one frame out for each frame in, as decodeVideoFrames counts them; then frame n is stamped n / fps.
  const filters = [`settb=1/${TICKS_PER_SECOND}`, `setpts=round(N*${TICKS_PER_SECOND / media.fps})`, `scale=${size.width}:${size.height}`];
  const args = [
    ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', original, '-map', '0:v:0', '-an', '-sn', '-dn', '-vsync', '0'],
    ['-vf', filters.join(','), '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'fastdecode', '-crf', '27', '-pix_fmt', 'yuv420p'],
    // No keyframe at scene cuts, so that fragment i starts at frame i * PROXY_KEYFRAME_INTERVAL.
    ['-g', String(PROXY_KEYFRAME_INTERVAL), '-keyint_min', String(PROXY_KEYFRAME_INTERVAL), '-sc_threshold', '0', '-bf', '0'],
    ['-video_track_timescale', String(TICKS_PER_SECOND), '-movflags', 'frag_keyframe+empty_moov+default_base_moof'],
    ['-progress', 'pipe:1', '-f', 'mp4', output],
  ].flat();
  const child = spawn(ffmpegPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const kill = () => child.kill('SIGKILL');
  signal.addEventListener('abort', kill, { once: true });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  child.stdout.on('data', (chunk: Buffer) => {
    const frames = [...chunk.toString().matchAll(/^frame=(\d+)/gm)].at(-1);
    if (frames) progress(Number(frames[1]), media.frameCount);
  });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    signal.throwIfAborted();
    if (code !== 0)
      throw new WorkbenchError('io-error', `ffmpeg could not make an editing proxy of ${original}: ${stderr.trim() || `exit code ${code}`}`, {
        file: original,
      });
  } finally {
    signal.removeEventListener('abort', kill);
  }
}
