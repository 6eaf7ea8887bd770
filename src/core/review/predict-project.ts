// A run's model over the project's boxes: every box of every frame in a range, cut as the run's dataset
// cut its crops, with the model's probability for each class. Written to the run's folder as
// predictions/project.json, in place of the earlier predictions of the same frames only, marked partial
// when not every box of the frames it spans was predicted.

import { join } from 'node:path';
import { boxAt } from '../../shared/keyframes';
import { WorkbenchError } from '../../shared/errors';
import type { BoxPrediction, ProjectPredictions } from '../../shared/review';
import type { ProjectAnnotations } from '../../shared/annotations';
import type { ProjectSettings } from '../../shared/project';
import type { BackendChoice, DatasetUsed, RunInfo } from '../../shared/runs';
import { cropImage, cropRegion } from '../dataset/crop-region';
import type { JobContext } from '../jobs/job-runner';
import { decodeFolderFrame, decodeVideoFrames, type RawFrame } from '../media/decode-frames';
import { AnnotationStore } from '../project/annotation-store';
import { readProjectSettings } from '../project/project-settings';
import { writeJsonFile } from '../fs/json-file';
import { frameRange } from '../util/frame-range';
import { PROJECT_FILE, runPaths } from '../project/layout';
import { findRun } from '../runs/manage-runs';
import type { Classifier, OpenClassifier } from './classify';
import { checkLabels, datasetOf } from './prediction-files';
import { readPredictions } from './review-run';

/** Crops per forward pass. */
const BATCH = 64;

export interface PredictInput {
  project: string;
  runId: string;
  /** First and last frame (inclusive); the whole clip when left out. */
  from?: number;
  to?: number;
  /** The backend asked for: `auto` (the default) or one by name. */
  backend?: BackendChoice;
}

/** `open` puts the model on its backend: in this process (run-here.ts), or on the compute page's GPU (ComputeHosts). */
export async function predictProject(input: PredictInput, context: JobContext, open: OpenClassifier): Promise<ProjectPredictions> {
  const run = await findRun(input.project, input.runId);
  const source = await projectSource(input.project);
  const { from, to } = frameRange(input.from, input.to, source.annotations.frameCount);
  const { dataset, classifier } = await openRunModel(run, source.labels, open, context.signal);
  const result: ProjectPredictions = { schema: 1, runId: run.id, backend: classifier.backend, labels: dataset.labels, from, to, complete: false, boxes: [] };
  const file = runPaths(run.path).projectPredictions;
  // One the window could not read is replaced, as its refusal says.
  const earlier = await readPredictions(run.path, 'project').catch(() => null);
  try {
    result.boxes = await predictBoxes(source, dataset, classifier, { from, to }, context, result.boxes);
    result.complete = true;
    return result;
  } finally {
    classifier.dispose();
    // Whatever was predicted is kept beside the earlier predictions of other frames, and says what it covers.
    await writeJsonFile(file, earlier ? mergePredictions(earlier, result) : result);
  }
}

/**
 * A run's earlier predictions with a newer job's in their place where it reached: all of its range when it
 * ended, the boxes it predicted when it stopped early. `from`-`to` spans both, and `complete` says whether
 * every box of that span was predicted.
 */
export function mergePredictions(earlier: ProjectPredictions, newer: ProjectPredictions): ProjectPredictions {
  // Another run's or another class list's are not this run's to keep.
  if (earlier.runId !== newer.runId || earlier.labels.join() !== newer.labels.join()) return newer;
  // Done over every frame the earlier ones spanned: nothing of theirs is left.
  if (newer.complete && newer.from <= earlier.from && newer.to >= earlier.to) return newer;
  const key = (box: BoxPrediction) => `${box.frame}/${box.trackId}`;
  const replaced = new Set(newer.boxes.map(key));
  // A range predicted to the end holds every box of its frames now: boxes deleted since are dropped.
  const kept = earlier.boxes.filter((box) => (newer.complete ? box.frame < newer.from || box.frame > newer.to : !replaced.has(key(box))));
  // Every box of the span has a prediction when the earlier ones covered theirs, and the newer range, done, joins them without a gap; or, cut short, lay within them.
  const joined = newer.complete ? newer.from <= earlier.to + 1 && earlier.from <= newer.to + 1 : newer.from >= earlier.from && newer.to <= earlier.to;
  return {
    ...newer,
    backend: [...new Set([...newer.backend.split(' and '), ...earlier.backend.split(' and ')])].join(' and '),
    from: Math.min(earlier.from, newer.from),
    to: Math.max(earlier.to, newer.to),
    complete: earlier.complete && joined,
    boxes: [...kept, ...newer.boxes].sort((a, b) => a.frame - b.frame || a.trackId - b.trackId),
  };
}

/** The run's best model, put on its backend by `open`, and the dataset it learnt from; refused when the project's labels changed since. */
export async function openRunModel(
  run: RunInfo,
  projectLabels: string[],
  open: OpenClassifier,
  signal: AbortSignal,
): Promise<{ dataset: DatasetUsed; classifier: Classifier }> {
  const dataset = datasetOf(run);
  checkLabels(projectLabels, dataset, run.id);
  const classifier = await open({ folder: runPaths(run.path).model('best'), size: dataset.size, classes: dataset.labels.length, runId: run.id }, signal);
  return { dataset, classifier };
}

/** What predictions are made from: the project's frames and its boxes. */
export interface ProjectSource {
  project: string;
  media: NonNullable<ProjectSettings['media']>;
  /** The label names project.json lists. */
  labels: string[];
  annotations: ProjectAnnotations;
}

export async function projectSource(project: string): Promise<ProjectSource> {
  const settings = await readProjectSettings(project);
  if (!settings?.media) throw new WorkbenchError('invalid-request', `${project} has no media in its ${PROJECT_FILE}`, { file: project });
  const labels = settings.labels.map((label) => label.name);
  const store = await AnnotationStore.load(project, labels);
  if (!store) throw new WorkbenchError('invalid-request', `${project} has no annotations to predict on`, { file: project });
  return { project, media: settings.media, labels, annotations: store.annotations };
}

/** The boxes to predict: those of frames `from` to `to`, of the `tracks` listed (of every track when not). */
export interface PredictScope {
  from: number;
  to: number;
  tracks?: ReadonlySet<number>;
}

/**
 * `classifier` over every box in `scope`, each cut as `dataset` cut its crops. Predictions are pushed
 * onto `into` as they come, so a caller keeps what was done if the job stops.
 */
export async function predictBoxes(
  source: ProjectSource,
  dataset: DatasetUsed,
  classifier: Classifier,
  scope: PredictScope,
  context: JobContext,
  into: BoxPrediction[] = [],
): Promise<BoxPrediction[]> {
  const { annotations, media } = source;
  const { from, to } = scope;
  const tracks = scope.tracks ? annotations.tracks.filter((track) => scope.tracks!.has(track.id)) : annotations.tracks;
  type Pending = { entry: Omit<BoxPrediction, 'predicted' | 'probabilities'>; pixels: Buffer };
  let pending: Pending[] = [];
  const judge = async (batch: Pending[]) => {
    const probabilities = await classifier.classify(Buffer.concat(batch.map((item) => item.pixels)), batch.length);
    batch.forEach(({ entry }, i) => {
      const row = probabilities[i]!;
      into.push({ ...entry, predicted: dataset.labels[row.indexOf(Math.max(...row))]!, probabilities: row.map(roundProbability) });
    });
  };
  // Frames are cut a few at a time: their batches are judged one after another, and awaiting the last
  // awaits them all.
  let judged = Promise.resolve();
  const flush = () => {
    const batch = pending;
    pending = [];
    if (batch.length > 0) judged = judged.then(() => judge(batch));
    return judged;
  };
  const use = async (raw: RawFrame) => {
    if (raw.frame < from || raw.frame > to) return;
    for (const track of tracks) {
      const box = boxAt(track, raw.frame);
      if (!box) continue;
      const region = cropRegion(box, dataset.options, raw.width, raw.height);
      const pixels = await cropImage(raw, region, dataset.options).raw().toBuffer();
      pending.push({
        entry: {
          frame: raw.frame,
          trackId: track.id,
          label: box.label,
          box: { xtl: box.xtl, ytl: box.ytl, xbr: box.xbr, ybr: box.ybr },
          occluded: box.occluded,
        },
        pixels,
      });
      if (pending.length >= BATCH) await flush();
    }
    context.progress(raw.frame - from + 1, to - from + 1, `Predicting frame ${raw.frame} of ${from}-${to}`);
  };
  const mediaPath = join(source.project, media.path);
  try {
    if (media.kind === 'video') await decodeVideoFrames(mediaPath, media.width, media.height, 1, annotations.frameCount, context.signal, use);
    else
      for (let frame = from; frame <= to; frame++) {
        context.signal.throwIfAborted();
        await use(await decodeFolderFrame(mediaPath, annotations, frame));
      }
    await flush();
  } catch (error) {
    // Crops already cut when a cancel came are predicted, so the partial result holds all that was done.
    if (context.signal.aborted) await flush();
    throw error;
  } finally {
    // Frames are cut a few at a time, so their boxes come in any order.
    into.sort((a, b) => a.frame - b.frame || a.trackId - b.trackId);
  }
  return into;
}

/** Probabilities as the prediction files keep them: four decimals. */
export const roundProbability = (p: number): number => Math.round(p * 10_000) / 10_000;
