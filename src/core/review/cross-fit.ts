// Out-of-sample predictions for label review. A model that trained on a box has learnt its label, right or
// wrong, so it cannot say the label is wrong. Cross-fitting splits the boxes into folds: by time
// (consecutive stretches of the clip) or by track (each fold some of the people, every box of them). For
// each, a model is trained as the run was on the other folds only, then predicts every box of its fold.
// Together they score every box with a model that never saw it; with track folds, one that never saw
// that person, which alone can find a person labelled wrong throughout.

import { tally } from '../util/tally';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import type { DatasetManifest, DatasetSample } from '../../shared/dataset';
import { foldBySchema, foldsSchema, type FoldBy, type ProjectPredictions } from '../../shared/review';
import { read } from '../../shared/schema';
import type { BackendChoice, RunInfo, RunResult } from '../../shared/runs';
import { WorkbenchError } from '../../shared/errors';
import type { JobContext } from '../jobs/job-runner';
import { readJsonFile, writeJsonFile } from '../fs/json-file';
import { modelPaths, projectPaths, runPaths } from '../project/layout';
import { findRun, trashRun } from '../runs/manage-runs';
import type { TrainRunInput } from '../training/train-run';
import { readManifest } from '../training/training-data';
import type { OpenClassifier } from './classify';
import { predictBoxes, projectSource, type PredictScope, type ProjectSource } from './predict-project';
import { checkLabels, datasetOf } from './prediction-files';
import { readPredictions } from './review-run';

/** With time folds, one train crop in this many goes to validation: enough to follow training, not used to pick a checkpoint. */
const VAL_EVERY = 10;

export interface CrossFitInput {
  project: string;
  runId: string;
  folds: number;
  /** What each fold holds out (time folds when not said). */
  by?: FoldBy;
  /** The cores it was given, each fold training on as many threads; every core when not said. */
  threads?: number;
  /** What the folds train and predict on (the run's own choice when not said), and why faster routes were passed over. */
  backend?: BackendChoice;
  passedOver?: string[];
}

/** Where the folds train and predict: in this process (run-here.ts), or on the compute page (ComputeHosts). */
export interface FoldRoute {
  /** Refuses a backend the folds could not train on, before the cross-fit writes anything. */
  check(backend: BackendChoice): void;
  train(input: TrainRunInput, context: JobContext): Promise<RunResult>;
  open: OpenClassifier;
}

/** What one fold's model is kept from: its own boxes (which it then predicts), and crops too near them in time to train on. */
interface Fold {
  /** For the log: "frames 0-99", "8 tracks". */
  what: string;
  scope: PredictScope;
  heldOut(sample: DatasetSample): boolean;
  tooNear(sample: DatasetSample): boolean;
  /** The rest keeps the dataset's own validation part (a stretch of the clip), rather than every 10th crop. */
  keepsValPart: boolean;
}

/**
 * A cross-fit laid out (cross-fit-plan.json in the run): what each fold holds out, and the run that trains
 * its model on the rest. Its folds can train anywhere, a cluster's nodes too, and be scored after.
 */
export interface CrossFitPlan {
  schema: 1;
  runId: string;
  folds: number;
  by: FoldBy;
  backend: BackendChoice;
  parts: Array<{ run: string; dataset: string; what: string; from: number; to: number; tracks?: number[] }>;
}

/** A cross-fit's plan, each fold's training run as train-run.ts takes it, and what its fold datasets are made of. */
export interface PreparedCrossFit extends Scoring {
  plan: CrossFitPlan;
  runs: TrainRunInput[];
  folds: Fold[];
  manifest: DatasetManifest;
}

/** What scoring the folds reads: the cross-fitted run, and the project's boxes and how to cut them. */
interface Scoring {
  run: RunInfo;
  source: ProjectSource;
}

/**
 * Plans a cross-fit, writing nothing (a dry run prints this). Its fold runs and datasets take names no run
 * or dataset has: the last cross-fit's stay until this one has scored every fold, and a dataset of the
 * user's is never written over.
 */
export async function planCrossFit(input: CrossFitInput): Promise<PreparedCrossFit> {
  read(foldsSchema, input.folds, { field: 'folds' });
  const by = read(foldBySchema, input.by, { field: 'by' });
  const run = await findRun(input.project, input.runId);
  const dataset = datasetOf(run);
  const manifest = await readManifest(input.project, dataset.name);
  const source = await projectSource(input.project);
  // Before any fold trains: a mismatch found by the first prediction would waste a training.
  checkLabels(source.labels, dataset, run.id);
  const frames = source.annotations.frameCount;
  const folds =
    by === 'track' ? trackFolds(input.folds, source.annotations.tracks, manifest, frames) : timeFolds(input.folds, source.annotations, manifest.options.gap);
  const backend = input.backend ?? run.config.options.backend;
  const names = await freeFoldNames(input.project, run.id, dataset.name, input.folds);
  const parts = folds.map((fold, index) => ({
    ...names[index]!,
    what: fold.what,
    ...fold.scope,
    tracks: fold.scope.tracks && [...fold.scope.tracks],
  }));
  const plan: CrossFitPlan = { schema: 1, runId: run.id, folds: input.folds, by, backend, parts };
  const runs = parts.map((part): TrainRunInput => ({
    project: input.project,
    runId: part.run,
    ...(input.threads ? { threads: input.threads } : {}),
    // A fixed number of epochs and the last weights: picking a checkpoint by any score would tune the fold's model to labels it is meant to judge.
    options: { ...run.config.options, dataset: part.dataset, patience: 0, backend },
    ...(input.passedOver ? { passedOver: input.passedOver } : {}),
    group: `${run.id}${FOLD_GROUP}`,
  }));
  return { plan, runs, run, source, folds, manifest };
}

/**
 * Writes a planned cross-fit's fold datasets, and its plan as the run's pending one, in place of an
 * earlier pending cross-fit's (a cluster's, whose folds never all trained or were never scored), which is removed.
 */
export async function layOutCrossFit(project: string, { plan, run, folds, manifest }: PreparedCrossFit): Promise<void> {
  const files = runPaths(run.path);
  const stale = await readPlan(files.pendingCrossFitPlan);
  if (stale) {
    await removeFolds(project, stale);
    await rm(files.pendingCrossFitPlan);
  }
  for (const [index, part] of plan.parts.entries()) await writeFoldDataset(project, manifest, part.dataset, folds[index]!, run.id);
  await writeJsonFile(files.pendingCrossFitPlan, plan);
}

/**
 * The first of `<run>-foldKofN`, `<run>-2-foldKofN`, ... (and likewise for the datasets) of which no run
 * and no dataset exists. They still end in -foldKofN, which the window's list of runs to review leaves out.
 */
async function freeFoldNames(project: string, runId: string, dataset: string, count: number): Promise<Array<{ run: string; dataset: string }>> {
  const paths = projectPaths(project);
  const exists = (path: string) =>
    stat(path).then(
      () => true,
      () => false,
    );
  for (let attempt = 1; ; attempt++) {
    const tag = attempt === 1 ? '' : `-${attempt}`;
    const names = Array.from({ length: count }, (_, index) => ({
      run: `${runId}${tag}-fold${index + 1}of${count}`,
      dataset: `${dataset}${tag}-fold${index + 1}of${count}`,
    }));
    const taken = await Promise.all(names.flatMap((name) => [exists(paths.run(name.run)), exists(paths.dataset(name.dataset))]));
    if (!taken.includes(true)) return names;
  }
}

/** A cross-fit's plan as written, or null when there is none. */
async function readPlan(file: string): Promise<CrossFitPlan | null> {
  return (await readJsonFile(file)) as CrossFitPlan | null;
}

/**
 * A cross-fit's fold runs moved to the trash whole, and its fold datasets (which refer to the run's
 * dataset's crops and hold none) removed. Only what the cross-fit made: a run of another group, or a
 * dataset not marked as this run's fold, is left as it is.
 */
async function removeFolds(project: string, plan: CrossFitPlan): Promise<void> {
  const paths = projectPaths(project);
  for (const part of plan.parts) {
    const fold = await findRun(project, part.run).catch(() => null);
    if (fold?.config.group === `${plan.runId}${FOLD_GROUP}`) await trashRun(project, part.run);
    const manifest = (await readJsonFile(paths.datasetManifest(part.dataset)).catch(() => null)) as DatasetManifest | null;
    if (manifest?.foldOf === plan.runId) await rm(paths.dataset(part.dataset), { recursive: true, force: true });
  }
}

/** The group of a cross-fit's fold runs, after the cross-fitted run's id. */
const FOLD_GROUP = '-cross-fit';

/** The cross-fit whose plan (the last, or a pending one) has `run` as a fold, and which fold it is; null for any other run. */
export async function crossFitOfFold(project: string, run: RunInfo): Promise<{ plan: CrossFitPlan; fold: number } | null> {
  const group = run.config.group;
  if (!group?.endsWith(FOLD_GROUP)) return null;
  const fitted = await findRun(project, group.slice(0, -FOLD_GROUP.length)).catch(() => null);
  if (!fitted) return null;
  for (const file of [runPaths(fitted.path).pendingCrossFitPlan, runPaths(fitted.path).crossFitPlan]) {
    const plan = await readPlan(file);
    const fold = plan ? plan.parts.findIndex((part) => part.run === run.id) : -1;
    if (plan && fold >= 0) return { plan, fold };
  }
  return null;
}

/** Cross-fits here: each fold trains (on `route`), then its model scores what it held out. */
export async function crossFit(input: CrossFitInput, context: JobContext, route: FoldRoute): Promise<ProjectPredictions> {
  const prepared = await planCrossFit(input);
  const { plan, runs } = prepared;
  route.check(plan.backend);
  await layOutCrossFit(input.project, prepared);
  if (plan.by === 'time' && prepared.source.annotations.stills)
    context.log('Photos are not a sequence: each fold holds out whole photos, in the order of their files, with no gap to the rest');
  return scoreFolds(input.project, plan, true, prepared, context, route.open, async (index, progress) => {
    context.log(`Fold ${index + 1} of ${plan.folds}: training on all but ${plan.parts[index]!.what}`);
    await route.train(runs[index]!, { ...context, progress, report: undefined });
  });
}

/**
 * Scores a cross-fit whose folds have trained (elsewhere: on a cluster's nodes), from its plan: the
 * pending one when there is one, else the last one again.
 */
export async function scoreCrossFit(project: string, runId: string, context: JobContext, open: OpenClassifier): Promise<ProjectPredictions> {
  const run = await findRun(project, runId);
  const pending = await readPlan(runPaths(run.path).pendingCrossFitPlan);
  const plan = pending ?? (await readPlan(runPaths(run.path).crossFitPlan));
  if (!plan) throw new WorkbenchError('invalid-request', `Run ${runId} has no cross-fit to score: cross-fit it first (--folds)`, { field: 'runId' });
  for (const part of plan.parts) {
    const model = runPaths(projectPaths(project).run(part.run)).model('last');
    if (!(await readJsonFile(modelPaths(model).model).catch(() => null)))
      throw new WorkbenchError('invalid-request', `Fold run ${part.run} has no trained model (${model}): its training did not finish`, { file: model });
  }
  const source = await projectSource(project);
  checkLabels(source.labels, datasetOf(run), run.id);
  return scoreFolds(project, plan, pending !== null, { run, source }, context, open);
}

/**
 * Each fold's model (its run's last weights) predicts the boxes its fold held out; with `train`, the fold
 * trains first. Together they score every box with a model that never saw it. A `pending` plan's complete
 * scores replace the last cross-fit whole (see settle).
 */
async function scoreFolds(
  project: string,
  plan: CrossFitPlan,
  pending: boolean,
  { run, source }: Scoring,
  context: JobContext,
  open: OpenClassifier,
  train?: (index: number, progress: JobContext['progress']) => Promise<void>,
): Promise<ProjectPredictions> {
  const dataset = datasetOf(run);
  const result: ProjectPredictions = {
    schema: 1,
    runId: run.id,
    // The backend asked for, until the first fold's model says which one ran.
    backend: plan.backend,
    labels: dataset.labels,
    from: 0,
    to: source.annotations.frameCount - 1,
    complete: false,
    crossFit: { folds: plan.folds, by: plan.by },
    boxes: [],
  };
  const steps = train ? 2 : 1;
  const step = (index: number, part: number) => (done: number, total: number, message?: string) =>
    context.progress(index * steps + part + done / Math.max(1, total), plan.folds * steps, `Fold ${index + 1} of ${plan.folds}: ${message ?? ''}`);
  try {
    for (const [index, part] of plan.parts.entries()) {
      await train?.(index, step(index, 0));
      const classifier = await open(
        { folder: runPaths(projectPaths(project).run(part.run)).model('last'), size: dataset.size, classes: dataset.labels.length, runId: part.run },
        context.signal,
      );
      try {
        result.backend = classifier.backend;
        const scope = { from: part.from, to: part.to, ...(part.tracks && { tracks: new Set(part.tracks) }) };
        await predictBoxes(source, { ...dataset, name: part.dataset }, classifier, scope, { ...context, progress: step(index, steps - 1) }, result.boxes);
      } finally {
        classifier.dispose();
      }
    }
    result.complete = true;
    return result;
  } finally {
    await settle(project, run, plan, { pending, trained: train !== undefined }, result, context);
  }
}

/**
 * Keeps what a cross-fit scored. Complete, a pending cross-fit takes the last one's place: its plan and
 * predictions replace the last one's, whose fold runs go to the trash and fold datasets are removed. Cut
 * short, it replaces no complete cross-fit, which stays whole; with none, what was scored is kept, as
 * partial. Folds it `trained` itself go to the trash with their datasets, since it can never score them
 * all; folds trained elsewhere (a cluster's) wait, pending, to be scored again (--score-folds) or
 * replaced by the next cross-fit.
 */
async function settle(
  project: string,
  run: RunInfo,
  plan: CrossFitPlan,
  { pending, trained }: { pending: boolean; trained: boolean },
  result: ProjectPredictions,
  context: JobContext,
): Promise<void> {
  const files = runPaths(run.path);
  if (result.complete) {
    const last = await readPlan(files.crossFitPlan);
    await writeJsonFile(files.crossFitPredictions, result);
    if (!pending) return;
    await rename(files.pendingCrossFitPlan, files.crossFitPlan);
    if (last) await removeFolds(project, last);
    return;
  }
  // Why it stopped matters more than a failure to clear up: then its plan stays pending, for the next cross-fit to clear.
  const removed = trained
    ? await removeFolds(project, plan)
        .then(() => rm(files.pendingCrossFitPlan))
        .then(
          () => 'its fold runs went to the trash and their datasets were removed; ',
          (error: Error) => `its fold runs and datasets could not all be removed (${error.message}); `,
        )
    : '';
  const stopped = `The cross-fit stopped before its end: ${removed}`;
  const last = await lastCrossFit(run.path);
  if (last) {
    context.log(`${stopped}run ${run.id}'s last cross-fit (${last.folds} folds by ${last.by}) is kept as it was`);
    return;
  }
  await writeJsonFile(files.crossFitPredictions, result);
  context.log(`${stopped}the folds scored until then are kept in ${files.crossFitPredictions}, marked partial`);
}

/**
 * The plan of the run's last cross-fit, or null when there is none that scored every fold (earlier
 * versions kept the plan of a first cross-fit cut short, beside its partial predictions).
 */
export async function lastCrossFit(runPath: string): Promise<CrossFitPlan | null> {
  const plan = await readPlan(runPaths(runPath).crossFitPlan);
  return plan && (await readPredictions(runPath, 'cross-fit'))?.complete ? plan : null;
}

/**
 * Consecutive stretches of the clip, each kept the dataset's gap away from the crops its model trains on.
 * Photos are not a sequence, with no near-identical neighbours to keep apart: their folds are runs of
 * whole photos in the collection's order, with no gap, as a dataset's time split of photos leaves none.
 */
function timeFolds(count: number, { frameCount: frames, stills }: { frameCount: number; stills?: boolean }, datasetGap: number): Fold[] {
  const gap = stills ? 0 : datasetGap;
  return Array.from({ length: count }, (_, fold) => {
    const from = Math.floor((fold * frames) / count);
    const to = Math.floor(((fold + 1) * frames) / count) - 1;
    return {
      what: `${stills ? 'photos' : 'frames'} ${from}-${to}`,
      scope: { from, to },
      heldOut: (sample) => sample.frame >= from && sample.frame <= to,
      tooNear: (sample) => sample.frame >= from - gap && sample.frame <= to + gap,
      // The dataset's validation stretch may lie in the fold.
      keepsValPart: false,
    };
  });
}

/** Folds of whole tracks (every track of the project in one, those without crops too), shared out by shareTracks. */
function trackFolds(count: number, tracks: readonly { id: number }[], manifest: DatasetManifest, frames: number): Fold[] {
  const ids = tracks.map((track) => track.id);
  return shareTracks(count, ids, manifest.samples).map((held) => ({
    what: `${held.size} tracks`,
    scope: { from: 0, to: frames - 1, tracks: held },
    heldOut: (sample) => held.has(sample.trackId),
    tooNear: (sample) => held.has(sample.trackId),
    keepsValPart: true,
  }));
}

/**
 * A dataset made of the run's dataset's crops (referred to, not copied): the fold's crops, and those too
 * near them, left out of training, which takes the others but those it validates on; its test part is the fold.
 */
async function writeFoldDataset(project: string, manifest: DatasetManifest, name: string, fold: Fold, runId: string): Promise<void> {
  let count = 0;
  const samples = manifest.samples.flatMap((sample): DatasetSample[] => {
    const file = `../${manifest.name}/${sample.file}`;
    if (fold.heldOut(sample)) return sample.variant === 'original' ? [{ ...sample, file, split: 'test' }] : [];
    if (fold.tooNear(sample)) return [];
    const toVal = fold.keepsValPart ? sample.split === 'val' : sample.variant === 'original' && count++ % VAL_EVERY === 0;
    return [{ ...sample, file, split: toVal ? 'val' : 'train' }];
  });
  const counts = { train: {}, val: {}, test: {} } as DatasetManifest['counts'];
  for (const sample of samples) tally(counts[sample.split], sample.label);
  await mkdir(projectPaths(project).dataset(name), { recursive: true });
  await writeJsonFile(projectPaths(project).datasetManifest(name), {
    ...manifest,
    name,
    foldOf: runId,
    counts,
    samples,
    warnings: [...manifest.warnings, `cross-fitting fold: ${fold.what} are the test part; crops refer to the dataset ${manifest.name}`],
  } satisfies DatasetManifest);
}

/**
 * Whole tracks shared out over `count` folds with about as many crops of each label in every fold: the
 * tracks with most crops first, each to the fold holding fewest crops of its labels (the fold where it
 * adds least to the sum of the squared label counts), then to the fold with fewest crops. Balancing the
 * totals alone gave, on photos whose labels alternated with their ids, a fold of a single label, and so a
 * model trained on one class.
 */
export function shareTracks(count: number, trackIds: readonly number[], samples: readonly Pick<DatasetSample, 'trackId' | 'label'>[]): Set<number>[] {
  const crops = new Map<number, Map<string, number>>(trackIds.map((id) => [id, new Map()]));
  for (const { trackId, label } of samples) {
    const labels = crops.get(trackId);
    labels?.set(label, (labels.get(label) ?? 0) + 1);
  }
  const total = (labels: ReadonlyMap<string, number>) => [...labels.values()].reduce((sum, n) => sum + n, 0);
  const folds = Array.from({ length: count }, () => ({ tracks: new Set<number>(), crops: new Map<string, number>() }));
  const ordered = [...trackIds].sort((a, b) => total(crops.get(b)!) - total(crops.get(a)!) || a - b);
  for (const id of ordered) {
    const labels = crops.get(id)!;
    const overlap = (fold: (typeof folds)[number]) => [...labels].reduce((sum, [label, n]) => sum + n * (fold.crops.get(label) ?? 0), 0);
    const fold = folds.reduce((best, candidate) => {
      const difference = overlap(candidate) - overlap(best) || total(candidate.crops) - total(best.crops);
      return difference < 0 ? candidate : best;
    });
    fold.tracks.add(id);
    for (const [label, n] of labels) fold.crops.set(label, (fold.crops.get(label) ?? 0) + n);
  }
  return folds.map((fold) => fold.tracks);
}
