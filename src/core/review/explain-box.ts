// Why a run's model said what it did of one box: the crop it saw, cut as the run's dataset cut its crops,
// its probabilities, and a Grad-CAM heat map of the class it predicted.

import { join } from 'node:path';
import sharp from 'sharp';
import { WorkbenchError } from '../../shared/errors';
import { boxAt } from '../../shared/keyframes';
import type { BoxExplanation } from '../../shared/review';
import { cropImage, cropRegion } from '../dataset/crop-region';
import { decodeFolderFrame, decodeVideoFrame } from '../media/decode-frames';
import { runPaths } from '../project/layout';
import { findRun } from '../runs/manage-runs';
import type { BackendChoice } from '../../shared/runs';
import type { OpenClassifier } from './classify';
import { projectSource, roundProbability } from './predict-project';
import { checkLabels, datasetOf } from './prediction-files';

export interface ExplainInput {
  project: string;
  runId: string;
  frame: number;
  trackId: number;
  /** The backend asked for: `auto` (the default) or one by name. */
  backend?: BackendChoice;
}

/** `open` puts the model on its backend: in this process (run-here.ts), or on the compute page's GPU (ComputeHosts). */
export async function explainBox(input: ExplainInput, open: OpenClassifier, signal?: AbortSignal): Promise<BoxExplanation> {
  const run = await findRun(input.project, input.runId);
  const dataset = datasetOf(run);
  const { annotations, media, labels } = await projectSource(input.project);
  checkLabels(labels, dataset, run.id);
  const { frame, trackId } = input;
  if (!Number.isInteger(frame) || frame < 0 || frame >= annotations.frameCount) {
    throw new WorkbenchError('invalid-request', `frame must be a frame from 0 to ${annotations.frameCount - 1}, not ${frame}`, { field: 'frame' });
  }
  const track = annotations.tracks.find((candidate) => candidate.id === trackId);
  if (!track) throw new WorkbenchError('invalid-request', `There is no track ${trackId} in this project`, { field: 'trackId' });
  const box = boxAt(track, frame);
  if (!box) throw new WorkbenchError('invalid-request', `Track ${trackId} has no box at frame ${frame}`, { field: 'trackId' });

  const mediaPath = join(input.project, media.path);
  const raw =
    media.kind === 'video' ? await decodeVideoFrame(mediaPath, media.width, media.height, frame) : await decodeFolderFrame(mediaPath, annotations, frame);
  const size = dataset.size;
  const pixels = await cropImage(raw, cropRegion(box, dataset.options, raw.width, raw.height), dataset.options)
    .raw()
    .toBuffer();
  const png = await sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();

  const classifier = await open({ folder: runPaths(run.path).model('best'), size, classes: dataset.labels.length, runId: run.id }, signal);
  try {
    const { probabilities, predicted, map } = await classifier.explain(pixels);
    const { layer, ...heat } = map;
    return {
      runId: run.id,
      frame,
      trackId,
      label: box.label,
      labels: dataset.labels,
      predicted: dataset.labels[predicted]!,
      // Rounded as predictions/project.json rounds them, so the two agree.
      probabilities: probabilities.map(roundProbability),
      crop: `data:image/png;base64,${png.toString('base64')}`,
      size,
      layer,
      heat,
    };
  } finally {
    classifier.dispose();
  }
}
