// Why a run's model said what it did of one box: the crop it saw, cut as the run's dataset cut its crops,
// its probabilities, and a Grad-CAM heat map of the class it predicted.

import type { BoxExplanation } from '../../shared/review';
import { runPaths } from '../project/layout';
import { findRun } from '../runs/manage-runs';
import type { BackendChoice } from '../../shared/runs';
import type { OpenClassifier } from './classify';
import { cropBox } from './box-crop';
import { projectSource, roundProbability, type ProjectSource } from './predict-project';
import { checkLabels, datasetOf } from './prediction-files';

export interface ExplainInput {
  project: string;
  runId: string;
  frame: number;
  trackId: number;
  /** The backend asked for: `auto` (the default) or one by name. */
  backend?: BackendChoice;
}

/**
 * `open` puts the model on its backend: in this process (run-here.ts), or on the compute page's GPU
 * (ComputeHosts). `source` is the project as the caller holds it; a worker reads it from disk.
 */
export async function explainBox(input: ExplainInput, open: OpenClassifier, signal?: AbortSignal, source?: ProjectSource): Promise<BoxExplanation> {
  const run = await findRun(input.project, input.runId);
  const dataset = datasetOf(run);
  source ??= await projectSource(input.project);
  checkLabels(source.labels, dataset, run.id);
  const { frame, trackId } = input;
  const size = dataset.size;
  const { box, pixels, png } = await cropBox(source, dataset, frame, trackId);

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
      crop: png,
      size,
      layer,
      heat,
    };
  } finally {
    classifier.dispose();
  }
}
