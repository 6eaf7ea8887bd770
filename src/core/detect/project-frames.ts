// The project's frames, one after another, for the detection job's passes: a video decoded from its
// start (seeking lands on timestamps, not the frame numbers the annotations use), a folder of frames read
// file by file.

import { join } from 'node:path';
import type { MediaSettings } from '../../shared/project';
import { decodeFolderFrame, decodeVideoFrames, type RawFrame } from '../media/decode-frames';
import { probeFrames } from '../media/probe';

export interface FrameRange {
  from: number;
  to: number;
  every: number;
}

/** Calls `use` for every `every`-th frame from `from` to `to`, in order, stopping after `to`. */
export async function eachFrame(
  project: string,
  media: MediaSettings,
  range: FrameRange,
  signal: AbortSignal,
  use: (raw: RawFrame) => Promise<void>,
): Promise<void> {
  const path = join(project, media.path);
  const folder = await probeFrames(project, media);
  if (folder) {
    const sized = { width: media.width, height: media.height, ...folder };
    for (let frame = range.from; frame <= range.to; frame += range.every) {
      signal.throwIfAborted();
      await use(await decodeFolderFrame(path, sized, frame));
    }
    return;
  }
  const past = new AbortController();
  const stop = AbortSignal.any([signal, past.signal]);
  // ffmpeg hands out only every `every`-th frame when the range starts on one; otherwise every frame, and they are picked here.
  const stride = range.from % range.every === 0 ? range.every : 1;
  try {
    await decodeVideoFrames(path, media.width, media.height, stride, Math.ceil(media.frameCount / stride), stop, async (raw) => {
      if (raw.frame > range.to) past.abort();
      else if (raw.frame >= range.from && (raw.frame - range.from) % range.every === 0) await use(raw);
    });
  } catch (error) {
    if (!(past.signal.aborted && !signal.aborted)) throw error;
  }
}
