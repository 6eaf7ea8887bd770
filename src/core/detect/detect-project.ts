// "Find people": a detector over the project's frames (every k-th, in a range), its detections made into
// tracks, written to drafts/people.json. The project's annotations are never touched: the annotator
// accepts the draft's tracks (or compares them) afterwards. A job stopped early keeps what it found, marked
// incomplete; a draft already there is replaced only when asked.

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CONTINUE_FRACTION, type DetectOptions, type PeopleDraft } from '../../shared/detect';
import { WorkbenchError } from '../../shared/errors';
import type { MediaSettings } from '../../shared/project';
import { writeJsonFile } from '../fs/json-file';
import type { JobContext } from '../jobs/job-runner';
import { decodeFolderFrame, decodeVideoFrames, type RawFrame } from '../media/decode-frames';
import { probeFrames } from '../media/probe';
import { projectPaths, PROJECT_FILE } from '../project/layout';
import { readProjectSettings } from '../project/project-settings';
import { useBackend } from '../training/backends';
import { loadDetector } from './detector';
import { draftTracks, type FrameDetections } from './draft-tracks';
import { defaultScale, findPeople } from './find-people';

export async function detectProject(project: string, options: DetectOptions, context: JobContext): Promise<PeopleDraft> {
  const media = (await readProjectSettings(project))?.media;
  if (!media) throw new WorkbenchError('invalid-request', `${project} has no media in its ${PROJECT_FILE} to find people in`, { file: project });
  const from = options.from ?? 0;
  const to = options.to ?? media.frameCount - 1;
  if (from >= media.frameCount)
    throw new WorkbenchError('invalid-request', `"from" must be a frame from 0 to ${media.frameCount - 1}, got ${from}`, { field: 'from' });
  if (to < from || to >= media.frameCount)
    throw new WorkbenchError('invalid-request', `"to" must be a frame from ${from} to ${media.frameCount - 1}, got ${to}`, { field: 'to' });
  const file = projectPaths(project).peopleDraft;
  if (existsSync(file) && !options.replace)
    throw new WorkbenchError('already-exists', `${file} holds an earlier draft of people; accept or remove it first, or ask to replace it`, { file });

  const started = performance.now();
  await useBackend('auto', context.cores);
  const detector = await loadDetector(options.model ?? null);
  const scale = options.scale ?? defaultScale(detector, media.height);
  const { every, threshold } = options;
  const frames: FrameDetections[] = [];
  const total = Math.floor((to - from) / every) + 1;
  const draft = (complete: boolean): PeopleDraft => ({
    schema: 1,
    detector: detector.description.name,
    every,
    from,
    to,
    threshold,
    scale,
    complete,
    framesDetected: frames.length,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    tracks: draftTracks(frames, { every, threshold, minDetections: options.minDetections }),
  });
  const use = async (raw: RawFrame) => {
    if (raw.frame < from || raw.frame > to || (raw.frame - from) % every !== 0) return;
    frames.push({ frame: raw.frame, found: findPeople(detector, raw, threshold * CONTINUE_FRACTION, scale) });
    context.progress(frames.length, total, `Finding people: frame ${raw.frame} of ${from}-${to}`);
  };
  try {
    await eachFrame(project, media, { from, to, every }, context.signal, use);
    const result = draft(true);
    await save(file, result);
    return result;
  } catch (error) {
    // What was found before a cancel is kept, marked as covering part of the range.
    if (context.signal.aborted && frames.length > 0) await save(file, draft(false));
    throw error;
  } finally {
    detector.model.dispose();
  }
}

async function save(file: string, draft: PeopleDraft): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeJsonFile(file, draft);
}

/** Calls `use` for the frames of the range, in order, stopping after `to`. */
async function eachFrame(
  project: string,
  media: MediaSettings,
  range: { from: number; to: number; every: number },
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
  // The video decodes from its start (seeking lands on timestamps, not frame numbers); past `to` it stops.
  const past = new AbortController();
  const stop = AbortSignal.any([signal, past.signal]);
  const stride = range.from % range.every === 0 ? range.every : 1;
  try {
    await decodeVideoFrames(path, media.width, media.height, stride, Math.ceil(media.frameCount / stride), stop, async (raw) => {
      if (raw.frame > range.to) past.abort();
      else await use(raw);
    });
  } catch (error) {
    if (!(past.signal.aborted && !signal.aborted)) throw error;
  }
}
