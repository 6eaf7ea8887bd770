// Out-of-sample predictions for label review. A model that trained on a box has learnt its label, right or
// wrong, so it cannot say the label is wrong. Cross-fitting splits the clip into consecutive folds; for
// each, a model is trained as the run was on the other folds only (a gap away from it), then predicts
// every box of its fold. Together they score every box with a model that never saw it.

import { tally } from '../util/tally';
import { mkdir } from 'node:fs/promises';
import type { DatasetManifest, DatasetSample } from '../../shared/dataset';
import { foldsSchema } from '../../shared/review';
import { read } from '../../shared/schema';
import type { ProjectPredictions } from '../../shared/review';
import type { BackendChoice, RunResult } from '../../shared/runs';
import type { JobContext } from '../jobs/job-runner';
import { writeJsonFile } from '../fs/json-file';
import { projectPaths, runPaths } from '../project/layout';
import { findRun, trashRun } from '../runs/manage-runs';
import type { TrainRunInput } from '../training/train-run';
import { readManifest } from '../training/training-data';
import type { OpenClassifier } from './classify';
import { predictBoxes, projectSource } from './predict-project';
import { checkLabels, datasetOf } from './prediction-files';

/** One train crop in this many goes to validation: enough to follow training, not used to pick a checkpoint. */
const VAL_EVERY = 10;

export interface CrossFitInput {
  project: string;
  runId: string;
  folds: number;
  /** The cores it was given, each fold training on as many threads; every core when not said. */
  threads?: number;
  /** What the folds train and predict on (the run's own choice when not said), and why faster routes were passed over. */
  backend?: BackendChoice;
  passedOver?: string[];
}

/** Where the folds train and predict: in this process (run-here.ts), or on the compute page (ComputeHosts). */
export interface FoldRoute {
  train(input: TrainRunInput, context: JobContext): Promise<RunResult>;
  open: OpenClassifier;
}

export async function crossFit(input: CrossFitInput, context: JobContext, route: FoldRoute): Promise<ProjectPredictions> {
  read(foldsSchema, input.folds, { field: 'folds' });
  const run = await findRun(input.project, input.runId);
  const dataset = datasetOf(run);
  const manifest = await readManifest(input.project, dataset.name);
  const source = await projectSource(input.project);
  // Before any fold trains: a mismatch found by the first prediction would waste a training.
  checkLabels(source.labels, dataset, run.id);
  const frames = source.annotations.frameCount;
  const backend = input.backend ?? run.config.options.backend;
  const result: ProjectPredictions = {
    schema: 1,
    runId: run.id,
    // The backend asked for, until the first fold's model says which one ran.
    backend,
    labels: dataset.labels,
    from: 0,
    to: frames - 1,
    complete: false,
    boxes: [],
  };
  try {
    for (let fold = 0; fold < input.folds; fold++) {
      const from = Math.floor((fold * frames) / input.folds);
      const to = Math.floor(((fold + 1) * frames) / input.folds) - 1;
      const foldName = `${dataset.name}-fold${fold + 1}of${input.folds}`;
      await writeFoldDataset(input.project, manifest, foldName, from, to);
      const foldRun = `${run.id}-fold${fold + 1}of${input.folds}`;
      // A fold run of an earlier cross-fit goes to the trash whole, rather than mixing its files with this one's.
      if (
        await findRun(input.project, foldRun).then(
          () => true,
          () => false,
        )
      )
        await trashRun(input.project, foldRun);
      context.log(`Fold ${fold + 1} of ${input.folds}: training on all but frames ${from}-${to}`);
      const step = (part: number) => (done: number, total: number, message?: string) =>
        context.progress(fold * 2 + part + done / Math.max(1, total), input.folds * 2, `Fold ${fold + 1} of ${input.folds}: ${message ?? ''}`);
      // A fixed number of epochs and the last weights: picking a checkpoint by any score would tune the fold's model to labels it is meant to judge.
      await route.train(
        {
          project: input.project,
          runId: foldRun,
          ...(input.threads ? { threads: input.threads } : {}),
          options: { ...run.config.options, dataset: foldName, patience: 0, backend },
          ...(input.passedOver ? { passedOver: input.passedOver } : {}),
          group: `${run.id}-cross-fit`,
        },
        { ...context, progress: step(0), report: undefined },
      );
      const classifier = await route.open(
        {
          folder: runPaths(projectPaths(input.project).run(foldRun)).model('last'),
          size: dataset.size,
          classes: dataset.labels.length,
          runId: foldRun,
        },
        context.signal,
      );
      try {
        result.backend = classifier.backend;
        await predictBoxes(source, { ...dataset, name: foldName }, classifier, from, to, { ...context, progress: step(1) }, result.boxes);
      } finally {
        classifier.dispose();
      }
    }
    result.complete = true;
    return result;
  } finally {
    await writeJsonFile(runPaths(run.path).crossFitPredictions, result);
  }
}

/**
 * A dataset made of the run's dataset's crops (referred to, not copied): frames `from` to `to` and a gap
 * either side left out of training, which takes every other crop; its test part is the fold.
 */
async function writeFoldDataset(project: string, manifest: DatasetManifest, name: string, from: number, to: number): Promise<void> {
  const gap = manifest.options.gap;
  const inFold = (sample: DatasetSample) => sample.frame >= from && sample.frame <= to;
  const nearFold = (sample: DatasetSample) => sample.frame >= from - gap && sample.frame <= to + gap;
  let count = 0;
  const samples = manifest.samples.flatMap((sample): DatasetSample[] => {
    const file = `../${manifest.name}/${sample.file}`;
    if (inFold(sample)) return sample.variant === 'original' ? [{ ...sample, file, split: 'test' }] : [];
    if (nearFold(sample)) return [];
    const toVal = sample.variant === 'original' && count++ % VAL_EVERY === 0;
    return [{ ...sample, file, split: toVal ? 'val' : 'train' }];
  });
  const counts = { train: {}, val: {}, test: {} } as DatasetManifest['counts'];
  for (const sample of samples) tally(counts[sample.split], sample.label);
  await mkdir(projectPaths(project).dataset(name), { recursive: true });
  await writeJsonFile(projectPaths(project).datasetManifest(name), {
    ...manifest,
    name,
    counts,
    samples,
    warnings: [...manifest.warnings, `cross-fitting fold: frames ${from}-${to} are the test part; crops refer to the dataset ${manifest.name}`],
  } satisfies DatasetManifest);
}
