// "Find people": a detector over the project's frames (every k-th, in a range), its detections made into
// tracks, written to drafts/people.json. The project's annotations are never touched: the annotator
// accepts the draft's tracks (or compares them) afterwards. A job stopped early keeps what it found, marked
// incomplete; a draft already there is replaced only when asked.

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CONTINUE_FRACTION, type DetectOptions, type PeopleDraft } from '../../shared/detect';
import { WorkbenchError } from '../../shared/errors';
import { DEFAULT_LABELS, type ProjectSettings } from '../../shared/project';
import { writeJsonFile } from '../fs/json-file';
import type { JobContext } from '../jobs/job-runner';
import type { RawFrame } from '../media/decode-frames';
import { projectPaths, PROJECT_FILE } from '../project/layout';
import { readProjectSettings } from '../project/project-settings';
import type { OpenClassifier } from '../review/classify';
import { openRunModel } from '../review/predict-project';
import { findRun } from '../runs/manage-runs';
import { useBackend } from '../training/backends';
import { frameRange } from '../util/frame-range';
import { loadDetector } from './detector';
import { draftTracks, type FrameDetections } from './draft-tracks';
import { loadFaceFinder } from './face-finder';
import { defaultScale, findPeople } from './find-people';
import { labelDraft, type Labeller } from './label-draft';
import { eachFrame } from './project-frames';

/** `open` puts a run's classifier on its backend, for `options.runId`. */
export async function detectProject(project: string, options: DetectOptions, context: JobContext, open: OpenClassifier): Promise<PeopleDraft> {
  const settings = await readProjectSettings(project);
  const media = settings?.media;
  if (!media) throw new WorkbenchError('invalid-request', `${project} has no media in its ${PROJECT_FILE} to find people in`, { file: project });
  const { from, to } = frameRange(options.from, options.to, media.frameCount);
  const file = projectPaths(project).peopleDraft;
  if (existsSync(file) && !options.replace)
    throw new WorkbenchError('already-exists', `${file} holds an earlier draft of people; accept or remove it first, or ask to replace it`, { file });

  const started = performance.now();
  const seconds = () => Math.round((performance.now() - started) / 100) / 10;
  await useBackend('auto', context.cores);
  // The run is checked before the detector runs: a run that cannot label is said at once, not after an hour.
  const labeller: Labeller = options.runId
    ? { kind: 'run', ...(await openRunModel(await findRun(project, options.runId), labelNames(settings), open, context.signal)) }
    : { kind: 'faces', model: await loadFaceFinder(), threshold: options.faceThreshold };
  const detector = await loadDetector(options.model ?? null).catch((error: unknown) => {
    dispose(labeller);
    throw error;
  });
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
    labelledBy: null,
    framesDetected: frames.length,
    seconds: seconds(),
    // A stopped job's tracks are not carried past the last frame it reached.
    tracks: draftTracks(frames, {
      every,
      from,
      to: complete ? to : (frames.at(-1)?.frame ?? from),
      width: media.width,
      height: media.height,
      threshold,
      minDetections: options.minDetections,
    }),
  });
  const use = async (raw: RawFrame) => {
    frames.push({ frame: raw.frame, found: findPeople(detector, raw, threshold * CONTINUE_FRACTION, scale) });
    context.progress(frames.length, total, `Finding people: frame ${raw.frame} of ${from}-${to}`);
  };
  try {
    await eachFrame(project, media, { from, to, every }, context.signal, use);
    const result = draft(true);
    const by = options.runId ? `run ${options.runId}` : 'the face finder';
    const progress = (done: number, all: number) => context.progress(done, all, `Proposing labels with ${by}: frame ${done} of ${all}`);
    await labelDraft(project, media, result.tracks, labeller, labelNames(settings), context.signal, progress);
    result.labelledBy = options.runId ?? 'faces';
    result.seconds = seconds();
    await save(file, result);
    return result;
  } catch (error) {
    // What was found before a cancel is kept, marked as covering part of the range.
    if (context.signal.aborted && frames.length > 0) await save(file, draft(false));
    throw error;
  } finally {
    detector.model.dispose();
    dispose(labeller);
  }
}

function dispose(labeller: Labeller): void {
  if (labeller.kind === 'run') labeller.classifier.dispose();
  else labeller.model.dispose();
}

function labelNames(settings: ProjectSettings | null): string[] {
  return (settings?.labels ?? DEFAULT_LABELS).map((label) => label.name);
}

async function save(file: string, draft: PeopleDraft): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeJsonFile(file, draft);
}
