// `maskbench sample`: writes a complete project folder with a synthetic clip and its ground truth in
// every format. Everything is written to a hidden folder beside the target and moved into place at the
// end, so a failure or a cancel leaves nothing half-written.

import { tally } from '../util/tally';
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { AnnotationSet } from '../../shared/annotations';
import { WorkbenchError } from '../../shared/errors';
import { DEFAULT_LABEL_MAPPING, DEFAULT_LABELS, PROJECT_SCHEMA, type ProjectSettings } from '../../shared/project';
import { writeCvatImages } from '../annotations/formats/cvat-images';
import { writeCvatVideo } from '../annotations/formats/cvat-video';
import { fromBoxes } from '../../shared/keyframes';
import { boxesByFrame } from '../annotations/formats/frame-boxes';
import { vocFileName, writeVocFrame } from '../annotations/formats/pascal-voc';
import { replaceWith, stagingFor } from '../fs/replace';
import type { JobContext } from '../jobs/job-runner';
import { startRawVideoEncoder } from '../media/ffmpeg';
import { annotationsFileText } from '../project/annotations-file';
import { SAMPLE_FILE, SAMPLE_VIDEO, projectPaths, samplePaths } from '../project/layout';
import { renderBackground } from './background';
import { Camera } from './camera';
import { createCast } from './cast';
import { groundTruth } from './ground-truth';
import { addLabelNoise, type LabelNoise } from './label-noise';
import { Prng } from '../util/prng';
import { readSampleOptions, type SampleOptions, type sampleOptionsSchema } from './sample-options';
import type { Input } from '../../shared/schema';
import { FrameRenderer, peopleInFrame } from './scene';

/** Bump when the same options would give a different clip, so stored samples are made anew. */
export const SAMPLE_GENERATOR_VERSION = 3;

export interface SampleSummary {
  path: string;
  frames: number;
  width: number;
  height: number;
  fps: number;
  people: number;
  boxes: number;
  labels: Record<string, number>;
  labelNoise: { relabelled: number; shifted: number } | null;
  /** Frames rendered and encoded per second. */
  framesPerSecond: number;
  seconds: number;
}

export async function generateSample(target: string, given: Input<typeof sampleOptionsSchema>, context: JobContext, force = false): Promise<SampleSummary> {
  const options = readSampleOptions(given);
  const started = performance.now();
  const path = resolve(target);
  await checkTarget(path, force);
  const staging = stagingFor(path);
  await mkdir(staging).catch((error: NodeJS.ErrnoException) => {
    throw cannotWrite(dirname(path), error);
  });
  try {
    context.progress(0, options.frames, 'Planning the scene');
    const camera = new Camera(options.width, options.height);
    const random = new Prng(options.seed);
    const cast = createCast(camera, options.frames, options.fps, random.fork(1));
    const truth = groundTruth(camera, cast, options.frames);
    context.signal.throwIfAborted();

    context.progress(0, options.frames, 'Writing annotations');
    const files = samplePaths(staging);
    await writeAnnotations(files.groundTruth, truth);
    let noise: LabelNoise | null = null;
    if (options.labelNoise > 0) {
      const noisy = addLabelNoise(truth, options.labelNoise, random.fork(2), options.noiseShape);
      noise = noisy.noise;
      await writeAnnotations(files.noisyGroundTruth, noisy.noisy);
      await writeJson(files.labelNoise, noise);
    }
    context.signal.throwIfAborted();

    const renderStarted = performance.now();
    await renderVideo(staging, camera, cast, options, random.fork(3), context);
    const framesPerSecond = options.frames / ((performance.now() - renderStarted) / 1000);

    const labels = countLabels(truth);
    const boxes = Object.values(labels).reduce((sum, count) => sum + count, 0);
    await writeJson(projectPaths(staging).settings, projectSettings(options));
    // The project's own annotations: the ground truth, ready to edit (the files in annotations/ stay as they were).
    await writeFile(projectPaths(staging).annotations, annotationsFileText(fromBoxes(truth)));
    await writeJson(files.record, { generator: 'maskbench sample', version: SAMPLE_GENERATOR_VERSION, options, people: truth.tracks.length, boxes, labels });
    await moveIntoPlace(staging, path, force);
    return {
      path,
      frames: options.frames,
      width: options.width,
      height: options.height,
      fps: options.fps,
      people: truth.tracks.length,
      boxes,
      labels,
      labelNoise: noise && { relabelled: noise.relabelled.length, shifted: noise.shifted.length },
      framesPerSecond: Math.round(framesPerSecond * 10) / 10,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The target may be missing or an empty folder. With --force it may also hold an earlier sample project
 * (it has sample.json); anything else is the user's, and is never replaced.
 */
async function checkTarget(path: string, force: boolean): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch {
    await mkdir(dirname(path), { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      throw cannotWrite(dirname(path), error);
    });
    return;
  }
  if (!info.isDirectory()) throw new WorkbenchError('already-exists', `${path} is a file: choose a folder for the sample project`, { file: path });
  const entries = await readdir(path);
  if (entries.length === 0) return;
  if (!force)
    throw new WorkbenchError('already-exists', `${path} is not empty: choose an empty or new folder, or replace an earlier sample with "force"`, {
      file: path,
    });
  if (!entries.includes(SAMPLE_FILE)) {
    throw new WorkbenchError('already-exists', `${path} does not hold a sample project (it has no ${SAMPLE_FILE}), so it is not replaced even with "force"`, {
      file: path,
    });
  }
}

/**
 * Puts the finished folder in place, checking the target again: it may have changed while the sample was
 * made. An empty target is removed first (rmdir fails, and nothing is lost, if something was written
 * into it meanwhile); an earlier sample (with --force) is set aside and restored on failure.
 */
async function moveIntoPlace(staging: string, path: string, force: boolean): Promise<void> {
  const existing = await stat(path).catch(() => null);
  if (!existing) return rename(staging, path);
  const changed = () => new WorkbenchError('already-exists', `${path} was written to while the sample was made; it is left as it is`, { file: path });
  const entries = await readdir(path);
  if (entries.length === 0) {
    await rmdir(path).catch(() => {
      throw changed();
    });
    return rename(staging, path);
  }
  if (!force || !entries.includes(SAMPLE_FILE)) throw changed();
  await replaceWith(staging, path);
}

const WRITE_PROBLEMS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the disk is read-only',
  ENOSPC: 'the disk is full',
  ENOTDIR: 'part of the path is a file, not a folder',
  EEXIST: 'part of the path is a file, not a folder',
};

function cannotWrite(folder: string, error: NodeJS.ErrnoException): WorkbenchError {
  return new WorkbenchError('io-error', `Cannot write in ${folder}: ${WRITE_PROBLEMS[error.code ?? ''] ?? error.message}`, { file: folder });
}

async function writeAnnotations(folder: string, set: AnnotationSet): Promise<void> {
  await mkdir(join(folder, 'voc'), { recursive: true });
  const task = { name: 'walkway (sample)', colors: Object.fromEntries(DEFAULT_LABELS.map((label) => [label.name, label.color])) };
  await writeFile(join(folder, 'cvat-video.xml'), writeCvatVideo(set, { ...task, source: basename(SAMPLE_VIDEO) }));
  await writeFile(join(folder, 'cvat-images.xml'), writeCvatImages(set, task));
  const frames = boxesByFrame(set);
  for (let frame = 0; frame < set.frameCount; frame++) {
    await writeFile(join(folder, 'voc', vocFileName(set.frameNames[frame]!)), writeVocFrame(set, frame, frames[frame]!));
  }
}

async function renderVideo(
  folder: string,
  camera: Camera,
  cast: ReturnType<typeof createCast>,
  options: SampleOptions,
  random: Prng,
  context: JobContext,
): Promise<void> {
  const files = samplePaths(folder);
  await mkdir(dirname(files.video), { recursive: true });
  const bitexact = ['-map_metadata', '-1', '-fflags', '+bitexact', '-flags:v', '+bitexact'];
  const outputs = [
    {
      args: [
        '-an',
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-crf',
        '23',
        '-pix_fmt',
        'yuv420p',
        '-g',
        String(Math.round(options.fps * 2)),
        '-threads',
        '2',
        '-movflags',
        '+faststart',
        ...bitexact,
        files.video,
      ],
    },
  ];
  if (options.framesDir) {
    await mkdir(files.frames);
    outputs.push({
      args: ['-an', '-c:v', 'mjpeg', '-q:v', '3', '-pix_fmt', 'yuvj420p', '-start_number', '0', ...bitexact, join(files.frames, 'frame_%06d.jpg')],
    });
  }
  const encoder = startRawVideoEncoder(options.width, options.height, options.fps, outputs);
  try {
    const renderer = new FrameRenderer(camera, renderBackground(camera, options.seed), options.fps, random);
    for (let frame = 0; frame < options.frames; frame++) {
      // Let the event loop turn, so a cancel message reaches a worker between two frames.
      await new Promise((resolve) => setImmediate(resolve));
      context.signal.throwIfAborted();
      await encoder.write(renderer.render(frame, peopleInFrame(camera, cast, frame)));
      context.progress(frame + 1, options.frames, `Rendering frame ${frame + 1} of ${options.frames}`);
    }
    await encoder.finish();
  } catch (error) {
    encoder.kill();
    throw error;
  }
}

function projectSettings(options: SampleOptions): ProjectSettings {
  return {
    schema: PROJECT_SCHEMA,
    name: 'Walkway (sample)',
    media: { kind: 'video', path: SAMPLE_VIDEO, fps: options.fps, frameCount: options.frames, width: options.width, height: options.height },
    labels: DEFAULT_LABELS.map((label) => ({ ...label })),
    labelMapping: { ...DEFAULT_LABEL_MAPPING },
  };
}

function countLabels(set: AnnotationSet): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(set.labels.map((name) => [name, 0]));
  for (const track of set.tracks) for (const box of track.boxes) tally(counts, box.label);
  return counts;
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, JSON.stringify(value, null, 2) + '\n');
}
