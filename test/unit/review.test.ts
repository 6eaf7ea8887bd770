import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DATASET_DEFAULTS, type DatasetManifest } from '../../src/shared/dataset';
import { keptLabelsOf, stripFrames, type ProjectPredictions, type ReviewEntry } from '../../src/shared/review';
import { TRAINING_DEFAULTS } from '../../src/shared/runs';
import { detectOptionsSchema } from '../../src/shared/detect';
import { boxAt } from '../../src/shared/keyframes';
import { iou } from '../../src/shared/overlap';
import { read } from '../../src/shared/schema';
import { detectProject } from '../../src/core/detect/detect-project';
import { AnnotationStore } from '../../src/core/project/annotation-store';
import { buildDataset } from '../../src/core/dataset/build-dataset';
import { importIntoProject } from '../../src/core/project/import-into-project';
import { mergePredictions, predictProject } from '../../src/core/review/predict-project';
import { keepLabels, readPredictions, reviewRun } from '../../src/core/review/review-run';
import { reviewQueue } from '../../src/core/review/review-queue';
import { crossFitHere, openHere } from '../../src/core/review/run-here';
import { shareTracks } from '../../src/core/review/cross-fit';
import { projectPaths, runPaths } from '../../src/core/project/layout';
import { trainRun } from '../../src/core/training/train-run';
import { precisionAtK, type LabelNoise } from '../../src/core/sample/label-noise';
import type { WorkbenchEvent } from '../../src/shared/api';
import { FIXTURE_OPTIONS } from '../support/sample-fixture';
import { useTempDirs } from '../support/temp-dir';
import { jobEnd, testWorkbench } from '../support/workbench';
import { runCli } from '../../src/cli/cli';
const quiet = () => ({ signal: new AbortController().signal, progress: () => {}, log: () => {} });

/** `maskbench` with these arguments: its exit code, and what it printed to each stream. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (text) => (out += `${text}\n`), err: (text) => (err += `${text}\n`) });
  return { code, out, err };
}

describe('the review queue', () => {
  const box = { xtl: 0, ytl: 0, xbr: 10, ybr: 10 };
  const labels = ['MW', 'NM', 'ND'];
  /** A box the model gives `confidence` for `predicted`, the rest shared by the other two classes. */
  const prediction = (frame: number, trackId: number, label: string, predicted: string, confidence: number) => ({
    frame,
    trackId,
    label,
    box,
    predicted,
    probabilities: labels.map((name) => (name === predicted ? confidence : (1 - confidence) / 2)),
  });
  const predictions = (boxes: ReturnType<typeof prediction>[]): ProjectPredictions => ({
    schema: 1,
    runId: 'r',
    backend: 'wasm',
    labels,
    from: 0,
    to: 39,
    complete: true,
    boxes: boxes.sort((a, b) => a.frame - b.frame || a.trackId - b.trackId),
  });
  const span = (entry: ReviewEntry) => `${entry.trackId}:${entry.from}-${entry.to}`;

  it('makes one entry of each stretch the model doubts and of a whole track, a short stretch labelled against its track first, a slip of the model last', () => {
    const queue = reviewQueue(
      predictions([
        // Track 1: MW throughout, but frames 20-22 labelled NM; the model sees MW everywhere.
        ...Array.from({ length: 40 }, (_, f) => prediction(f, 1, f >= 20 && f <= 22 ? 'NM' : 'MW', 'MW', 0.9)),
        // Track 2: labelled NM throughout; the model says MW of most of it, a little less surely, and NM of a few boxes.
        ...Array.from({ length: 40 }, (_, f) => (f % 5 === 0 ? prediction(f, 2, 'NM', 'NM', 0.6) : prediction(f, 2, 'NM', 'MW', 0.7))),
        // Track 3: rightly MW; the model slips on frames 10-12, and on 30 (too far from them to be one entry).
        ...Array.from({ length: 40 }, (_, f) => prediction(f, 3, 'MW', (f >= 10 && f <= 12) || f === 30 ? 'NM' : 'MW', 0.8)),
        // Track 4: NM for 30 frames between MW ones; the model sees MW everywhere. Long for a mistake.
        ...Array.from({ length: 40 }, (_, f) => prediction(f, 4, f >= 5 && f < 35 ? 'NM' : 'MW', 'MW', 0.9)),
      ]),
      DATASET_DEFAULTS,
    );
    expect(queue.map(span)).toEqual(['1:20-22', '4:5-34', '2:0-39', '3:10-12', '3:30-30']);
    expect(queue[0]).toMatchObject({ annotated: 'NM', suggested: 'MW', doubt: 0.95, coverage: 1, contrast: 1, score: 0.95, wholeTrack: false });
    expect(queue[0]!.boxes.map((entry) => entry.frame)).toEqual([20, 21, 22]);
    // Twice as long as a stretch counts in full (15 boxes): half the score.
    expect(queue[1]).toMatchObject({ doubt: 0.95, contrast: 1, score: 0.475 });
    // The whole track is one entry, its boxes the model agrees with included; their probabilities are
    // pooled. No labels around it: a quarter of its doubt.
    expect(queue[2]).toMatchObject({ annotated: 'NM', suggested: 'MW', wholeTrack: true, coverage: 1, contrast: 0 });
    expect(queue[2]!.boxes).toHaveLength(40);
    expect(queue[2]!.doubt).toBeCloseTo(1 - (0.6 * 8 + 0.15 * 32) / 40, 4);
    expect(queue[2]!.score).toBeCloseTo(0.25 * queue[2]!.doubt, 4);
    // The model's slips: the labels around agree, and they cover little of a stretch the annotator labelled once.
    expect(queue[3]).toMatchObject({ annotated: 'MW', suggested: 'NM', coverage: 0.075, doubt: 0.9, contrast: 0 });
    expect(queue[3]!.score).toBeCloseTo(0.9 * 0.25 * (0.25 + 0.75 * 0.075), 4);
    // --top counts entries.
    expect(reviewQueue(predictions([...Array.from({ length: 40 }, (_, f) => prediction(f, 2, 'NM', 'MW', 0.7))]), DATASET_DEFAULTS, { top: 1 })).toHaveLength(
      1,
    );
  });

  it('suggests the class the pooled probabilities favour, leaves out kept boxes and those outside the run’s classes, and breaks stretches where they are', () => {
    const boxes = [
      // Labelled ND; the model says MW of three boxes and NM of two more surely: pooled, NM wins.
      ...[0, 1, 2].map((f) => prediction(f, 1, 'ND', 'MW', 0.5)),
      ...[3, 4].map((f) => prediction(f, 1, 'ND', 'NM', 0.95)),
      // Frames 5-9 NM, doubted; frame 7 was kept against the model, so 5-6 and 8-9 are separate decisions.
      ...[5, 6, 7, 8, 9].map((f) => prediction(f, 1, 'NM', 'MW', 0.9)),
      // A box whose track has no box on frame 11: 10 and 12 are not one stretch.
      prediction(10, 2, 'MW', 'NM', 0.9),
      prediction(12, 2, 'MW', 'NM', 0.9),
      // A short stretch is one decision: the model doubts one box of five, the entry is all five.
      ...[15, 16, 17, 18, 19].map((f) => prediction(f, 3, 'NM', 'NM', 0.9)),
      ...[20, 21, 22, 23, 24].map((f) => prediction(f, 3, 'MW', f === 22 ? 'NM' : 'MW', 0.9)),
      ...[25, 26, 27, 28, 29].map((f) => prediction(f, 3, 'NM', 'NM', 0.9)),
    ];
    const queue = reviewQueue(predictions(boxes), DATASET_DEFAULTS, { kept: [{ frame: 7, trackId: 1, label: 'NM' }] });
    expect(queue.map(span).sort()).toEqual(['1:0-4', '1:5-6', '1:8-9', '2:10-10', '2:12-12', '3:20-24']);
    expect(queue.find((entry) => entry.from === 0)).toMatchObject({ annotated: 'ND', suggested: 'NM' });
    // Two classes with ND left out: the ND boxes are not judged.
    const twoClasses = reviewQueue(predictions(boxes), { classes: 'MW,NM', ndPolicy: 'drop' });
    expect(twoClasses.map(span).sort()).toEqual(['1:5-9', '2:10-10', '2:12-12', '3:20-24']);
  });

  it('judges an entry on its boxes in view, and counts half the doubt of one whose every box is occluded', () => {
    const hidden = (box: ReturnType<typeof prediction>) => ({ ...box, occluded: true });
    const queue = reviewQueue(
      predictions([
        // Track 1: ND for frames 10-12 between NM ones, all three occluded; the model, seeing whoever hides the face, says NM.
        ...Array.from({ length: 20 }, (_, f) => (f >= 10 && f <= 12 ? hidden(prediction(f, 1, 'ND', 'NM', 0.9)) : prediction(f, 1, 'NM', 'NM', 0.9))),
        // Track 2: the same stretch in view, the model a little less sure.
        ...Array.from({ length: 20 }, (_, f) => prediction(f, 2, f >= 10 && f <= 12 ? 'ND' : 'NM', 'NM', 0.7)),
        // Track 3: labelled ND throughout; in view the model says MW surely, on the occluded half it says ND.
        ...Array.from({ length: 20 }, (_, f) => (f % 2 === 0 ? prediction(f, 3, 'ND', 'MW', 0.9) : hidden(prediction(f, 3, 'ND', 'ND', 0.9)))),
      ]),
      DATASET_DEFAULTS,
    );
    expect(queue.map(span)).toEqual(['2:10-12', '1:10-12', '3:0-19']);
    expect(queue[0]).toMatchObject({ doubt: 0.85, score: 0.85 });
    // Every box occluded: judged on them all, at half the score.
    expect(queue[1]).toMatchObject({ doubt: 0.95, score: 0.475 });
    // The occluded boxes are left out of the pooled doubt: it is the boxes in view's alone, not their mean with the rest.
    expect(queue[2]).toMatchObject({ wholeTrack: true, suggested: 'MW', doubt: 0.95 });
    expect(queue[2]!.boxes).toHaveLength(20);
  });

  it('merges a prediction of some frames into the run’s earlier ones, saying truly what they cover', () => {
    // Each backend's boxes told apart by the model's confidence.
    const confidence = (backend: string) => (backend === 'cpu' ? 0.6 : 0.9);
    const covering = (from: number, to: number, backend: string, complete = true, reached = to): ProjectPredictions => ({
      ...predictions(Array.from({ length: reached - from + 1 }, (_, i) => prediction(from + i, 1, 'MW', 'MW', confidence(backend)))),
      backend,
      from,
      to,
      complete,
    });
    const all = covering(0, 99, 'wasm');
    const range = mergePredictions(all, covering(10, 20, 'cpu'));
    expect(range).toMatchObject({ from: 0, to: 99, complete: true, backend: 'cpu and wasm' });
    expect(range.boxes.map((box) => box.frame)).toEqual(all.boxes.map((box) => box.frame));
    expect(range.boxes.filter((box) => box.probabilities[0] === 0.6).map((box) => box.frame)).toEqual(Array.from({ length: 11 }, (_, i) => 10 + i));
    // Stopped early at frame 4: the earlier boxes of the frames it did not reach are kept, so every box still has a prediction.
    const cut = mergePredictions(all, covering(0, 99, 'cpu', false, 4));
    expect(cut).toMatchObject({ from: 0, to: 99, complete: true });
    expect(cut.boxes.map((box) => box.probabilities[0])).toEqual([...Array(5).fill(0.6), ...Array(95).fill(0.9)]);
    // A range beyond a gap: the frames between have none.
    expect(mergePredictions(covering(0, 9, 'wasm'), covering(50, 59, 'wasm'))).toMatchObject({ from: 0, to: 59, complete: false, backend: 'wasm' });
    // Earlier ones cut short stay partial; a whole new prediction replaces them.
    expect(mergePredictions(covering(0, 99, 'wasm', false, 40), covering(10, 20, 'wasm')).complete).toBe(false);
    expect(mergePredictions(covering(0, 99, 'wasm', false, 40), covering(0, 99, 'cpu'))).toEqual(covering(0, 99, 'cpu'));
  });

  it('measures a queue by the share of wrong labels among the first K boxes its entries cover', () => {
    const entry = (trackId: number, frames: number[]): ReviewEntry => ({
      trackId,
      from: frames[0]!,
      to: frames.at(-1)!,
      annotated: 'NM',
      suggested: 'MW',
      boxes: frames.map((frame) => ({ frame, box, doubt: 0.9 })),
      wholeTrack: false,
      score: 0.9,
      doubt: 0.9,
      coverage: 1,
      contrast: 1,
    });
    const noise = { relabelled: [1, 2, 3, 4].map((frame) => ({ frame, trackId: 1, label: 'MW', noisyLabel: 'NM' })) };
    // K = 4: the first entry's three boxes are wrong, then one of the second's two counted, and it is right.
    expect(precisionAtK([entry(1, [1, 2, 3]), entry(2, [1, 2]), entry(1, [4])], noise)).toBe(0.75);
    expect(precisionAtK([entry(1, [1, 2, 3, 4])], noise)).toBe(1);
  });
});

describe('track folds', () => {
  const counts = (folds: Set<number>[], samples: Array<{ trackId: number; label: string }>) =>
    folds.map((held) => {
      const labels: Record<string, number> = {};
      for (const sample of samples) if (held.has(sample.trackId)) labels[sample.label] = (labels[sample.label] ?? 0) + 1;
      return labels;
    });

  it('give every fold its share of each label, even where labels alternate with track ids', () => {
    // Photos, a track each, MW and NM by turns: sharing out by crop count alone put every MW in one fold.
    const samples = Array.from({ length: 12 }, (_, i) => ({ trackId: i + 1, label: i % 2 ? 'NM' : 'MW' }));
    const folds = shareTracks(
      2,
      samples.map((sample) => sample.trackId),
      samples,
    );
    expect(counts(folds, samples)).toEqual([
      { MW: 3, NM: 3 },
      { MW: 3, NM: 3 },
    ]);
  });

  it('keep each track whole, place every track once (those without crops too) and keep the folds near in size', () => {
    const crops = [
      [1, 'MW', 9],
      [2, 'MW', 7],
      [3, 'NM', 8],
      [4, 'ND', 3],
      [5, 'NM', 2],
      [6, 'MW', 1],
    ] as const;
    const samples = crops.flatMap(([trackId, label, n]) => Array.from({ length: n }, () => ({ trackId, label })));
    // A track that changes label counts for both.
    samples.push({ trackId: 4, label: 'NM' }, { trackId: 4, label: 'NM' });
    const folds = shareTracks(3, [1, 2, 3, 4, 5, 6, 7], samples);
    expect(folds.flatMap((held) => [...held]).sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // 9 MW, 8 NM and 7 MW open the three folds. The others go where there are fewest of their labels:
    // ND and NM beside the 7 MW, NM beside the 9 MW, MW beside the NM; the track without crops to the smallest.
    expect(folds.map((held) => [...held].sort())).toEqual([
      [1, 5],
      [3, 6, 7],
      [2, 4],
    ]);
  });
});

describe('a model in the loop', () => {
  const tempDir = useTempDirs();
  let project: string;
  let noise: LabelNoise;

  beforeAll(async () => {
    // The sample's noisy annotations as the project's own: the mistakes the review should find.
    // Shared by the tests below, so not from useTempDirs (which empties after each test).
    project = await mkdtemp(join(tmpdir(), 'maskbench-test-review-'));
    await cp(inject('sampleProject'), project, { recursive: true });
    await importIntoProject(project, join(project, 'annotations', 'noisy', 'cvat-video.xml'), { force: true });
    noise = JSON.parse(await readFile(join(project, 'annotations', 'noisy', 'label-noise.json'), 'utf8'));
    // Every other frame: the busy sample has ten people a frame, and neighbouring frames add little.
    await buildDataset(project, 'heads', { ...DATASET_DEFAULTS, stride: 2, gap: 5, crop: 'head', size: 32 }, quiet());
    await trainRun(
      { project, runId: 'heads', options: { ...TRAINING_DEFAULTS, dataset: 'heads', model: 'conv-bn', epochs: 8, batchSize: 16, backend: 'wasm' } },
      quiet(),
    );
  }, 180_000);
  afterAll(() => rm(project, { recursive: true, force: true }));

  it('predicts every box of a range with the run’s model, cut as its dataset was, and writes it to the run', async () => {
    const result = await predictProject({ project, runId: 'heads', from: 20, to: 39 }, quiet(), openHere());
    expect(result).toMatchObject({ runId: 'heads', from: 20, to: 39, complete: true, labels: ['MW', 'NM', 'ND'] });
    expect(new Set(result.boxes.map((box) => box.frame))).toEqual(new Set(Array.from({ length: 20 }, (_, i) => 20 + i)));
    const tracks = new Map((await AnnotationStore.load(project, ['MW', 'NM', 'ND']))!.annotations.tracks.map((track) => [track.id, track]));
    for (const box of result.boxes) {
      expect(box.probabilities.reduce((a, b) => a + b)).toBeCloseTo(1, 2);
      expect(box.predicted).toBe(result.labels[box.probabilities.indexOf(Math.max(...box.probabilities))]);
      // The queue judges an entry on its boxes in view.
      expect(box.occluded).toBe(boxAt(tracks.get(box.trackId)!, box.frame)!.occluded);
    }
    // The sample hides people behind others: both kinds are there.
    expect(new Set(result.boxes.map((box) => box.occluded))).toEqual(new Set([true, false]));
    const saved = JSON.parse(await readFile(runPaths(projectPaths(project).run('heads')).projectPredictions, 'utf8')) as ProjectPredictions;
    expect(saved.boxes).toHaveLength(result.boxes.length);
  });

  it('proposes the labels of people it finds with the run’s classifier, agreeing with the labels far more than chance', async () => {
    const options = read(detectOptionsSchema, { every: 4, to: 59, runId: 'heads', replace: true });
    const draft = await detectProject(project, options, quiet(), openHere());
    expect(draft.labelledBy).toBe('heads');
    const labelled = (await AnnotationStore.load(project, ['MW', 'NM', 'ND']))!.annotations.tracks;
    let agree = 0;
    let judged = 0;
    for (const track of draft.tracks) {
      expect(['MW', 'NM', 'ND']).toContain(track.label);
      // The label the annotations give the person the track follows, on most of its keyframes.
      const seen = track.keyframes.flatMap((keyframe) =>
        labelled.flatMap((other) => {
          const box = boxAt(other, keyframe.frame);
          return box && iou(box, keyframe) >= 0.5 ? [box.label] : [];
        }),
      );
      if (seen.length === 0) continue;
      const usual = [...new Set(seen)].sort((a, b) => seen.filter((x) => x === b).length - seen.filter((x) => x === a).length)[0];
      judged++;
      if (usual === track.label) agree++;
    }
    expect(judged).toBeGreaterThan(5);
    expect(agree / judged).toBeGreaterThan(0.6);
    await expect(detectProject(project, { ...options, runId: 'nope' }, quiet(), openHere())).rejects.toMatchObject({ code: 'run-not-found' });
  }, 120_000);

  it('ranks the likeliest label mistakes first: the boxes of the top of the queue hold far more of the injected errors than chance', async () => {
    const predictions = await predictProject({ project, runId: 'heads' }, quiet(), openHere());
    const queue = reviewQueue(predictions, DATASET_DEFAULTS);
    expect(precisionAtK(queue, noise)).toBeGreaterThan((4 * noise.relabelled.length) / predictions.boxes.length);
    expect(queue.every((entry, i) => i === 0 || queue[i - 1]!.score >= entry.score)).toBe(true);
  }, 120_000);

  it('cross-fits by time: every box scored by a model that never trained on it, the queue finding most injected errors in its first K boxes', async () => {
    const predictions = await crossFitHere({ project, runId: 'heads', folds: 3 }, quiet());
    expect(predictions).toMatchObject({ complete: true, crossFit: { folds: 3, by: 'time' } });
    const inSample = await predictProject({ project, runId: 'heads' }, quiet(), openHere());
    expect(predictions.boxes.map((box) => `${box.frame}/${box.trackId}`)).toEqual(inSample.boxes.map((box) => `${box.frame}/${box.trackId}`));
    // Each fold's model left its stretch of the clip, and the dataset's gap either side, out of training.
    for (let fold = 1; fold <= 3; fold++) {
      const manifest = JSON.parse(await readFile(join(project, 'datasets', `heads-fold${fold}of3`, 'manifest.json'), 'utf8')) as DatasetManifest;
      const test = manifest.samples.filter((sample) => sample.split === 'test').map((sample) => sample.frame);
      const trained = manifest.samples.filter((sample) => sample.split !== 'test').map((sample) => sample.frame);
      expect(trained.every((frame) => frame < Math.min(...test) - 5 || frame > Math.max(...test) + 5)).toBe(true);
    }
    // The issue's measure on this smaller clip (a twentieth of its boxes wrong, in runs of 1-12 frames).
    expect(precisionAtK(reviewQueue(predictions, DATASET_DEFAULTS), noise)).toBeGreaterThanOrEqual(0.8);
  }, 300_000);

  it('predicts and reviews from the window: a job per prediction, the queue out of sample once cross-fitted, the heat map of one box', async () => {
    const workbench = testWorkbench(await tempDir());
    await workbench.openProject({ path: project });
    const events: WorkbenchEvent[] = [];
    workbench.onEvent((event) => events.push(event));
    const before = (await readPredictions(projectPaths(project).run('heads'), 'project'))!;
    const job = await workbench.startPrediction({ runId: 'heads', from: 0, to: 9 });
    expect(job).toMatchObject({ kind: 'prediction', state: 'running' });
    expect(await jobEnd(events, job.id)).toMatchObject({ type: 'job-done', result: { runId: 'heads', from: 0, to: 9, complete: true } });
    // Frames 0-9 predicted again in place of the earlier predictions of the whole clip, the rest kept.
    const predictions = (await workbench.predictions({ runId: 'heads' }))!;
    expect(predictions).toMatchObject({ from: 0, to: FIXTURE_OPTIONS.frames - 1, complete: true });
    const boxes = (file: ProjectPredictions) => file.boxes.map((box) => `${box.frame}/${box.trackId}`);
    expect(boxes(predictions)).toEqual(boxes(before));
    // Cross-fitting trains, so it queues for a training slot; the queue then scores every box out of sample.
    const crossFitting = await workbench.startCrossFit({ runId: 'heads', folds: 2, by: 'track' });
    expect(crossFitting).toMatchObject({ kind: 'cross-fit', state: 'queued' });
    expect(await jobEnd(events, crossFitting.id)).toMatchObject({ type: 'job-done', result: { runId: 'heads', complete: true } });
    expect((await workbench.listRuns()).filter((run) => run.config.group === 'heads-cross-fit').map((run) => run.id)).toEqual(
      expect.arrayContaining(['heads-fold1of2', 'heads-fold2of2']),
    );
    // Done, it took the place of the 3-fold cross-fit above: those fold runs went to the trash, their datasets were removed.
    expect(await readdir(join(project, 'trash', 'runs'))).toEqual(expect.arrayContaining(['heads-fold1of3', 'heads-fold2of3', 'heads-fold3of3']));
    expect((await readdir(projectPaths(project).datasets)).filter((name) => name.includes('-fold')).sort()).toEqual(['heads-fold1of2', 'heads-fold2of2']);
    // The window tells them from the user's datasets, to start its views on the user's.
    const folds = (await workbench.listDatasets()).filter((dataset) => dataset.foldOf !== undefined);
    expect(folds.map((dataset) => [dataset.name, dataset.foldOf]).sort()).toEqual([
      ['heads-fold1of2', 'heads'],
      ['heads-fold2of2', 'heads'],
    ]);
    expect(await readdir(runPaths(projectPaths(project).run('heads')).predictions)).not.toContain('cross-fit-plan.pending.json');
    // The folds train on the run's own backend when none is asked for.
    expect((await workbench.listRuns()).find((run) => run.id === 'heads-fold1of2')?.config.backend).toMatchObject({ name: 'wasm', requested: 'wasm' });
    // Track folds: each model trained and validated on other people only; every person is in one fold.
    const base = JSON.parse(await readFile(join(project, 'datasets', 'heads', 'manifest.json'), 'utf8')) as DatasetManifest;
    const original = new Map(base.samples.map((sample) => [sample.file, sample.split]));
    const heldOut: number[] = [];
    for (let fold = 1; fold <= 2; fold++) {
      const manifest = JSON.parse(await readFile(join(project, 'datasets', `heads-fold${fold}of2`, 'manifest.json'), 'utf8')) as DatasetManifest;
      const tracks = (split: string) => new Set(manifest.samples.filter((sample) => sample.split === split).map((sample) => sample.trackId));
      const test = tracks('test');
      expect([...tracks('train'), ...tracks('val')].some((track) => test.has(track))).toBe(false);
      // The others keep the dataset's own validation part.
      expect(manifest.samples.filter((sample) => sample.split === 'val').every((sample) => original.get(sample.file.replace('../heads/', '')) === 'val')).toBe(
        true,
      );
      heldOut.push(...test);
    }
    expect(new Set(heldOut).size).toBe(heldOut.length);
    expect(new Set(heldOut)).toEqual(new Set(base.samples.map((sample) => sample.trackId)));
    const queue = await workbench.reviewQueue({ runId: 'heads', top: 5 });
    expect(queue).toMatchObject({ runId: 'heads', outOfSample: true, foldBy: 'track', complete: true, kept: [] });
    expect(queue.entries).toHaveLength(5);
    const first = queue.entries[0]!;
    // An entry's labels kept against the model are saved in the run, and found decided by the next review.
    const kept = keptLabelsOf(first);
    expect(await workbench.keepLabels({ runId: 'heads', labels: kept, keep: true })).toEqual(kept);
    const later = testWorkbench(await tempDir());
    await later.openProject({ path: project });
    expect((await later.reviewQueue({ runId: 'heads', top: 5 })).kept).toEqual(kept);
    expect(await workbench.keepLabels({ runId: 'heads', labels: kept, keep: false })).toEqual([]);
    await expect(workbench.keepLabels({ runId: 'heads', labels: kept } as never)).rejects.toMatchObject({ where: { field: 'keep' } });
    await expect(workbench.keepLabels({ runId: 'heads', labels: [{ ...kept[0]!, label: 'XX' }], keep: true })).rejects.toMatchObject({
      where: { field: 'labels[0].label' },
    });
    // Asked again before the first answer: the older request stops, the newer one answers.
    const older = expect(workbench.explainBox({ runId: 'heads', frame: queue.entries[1]!.from, trackId: queue.entries[1]!.trackId })).rejects.toMatchObject({
      code: 'superseded',
    });
    const explanation = await workbench.explainBox({ runId: 'heads', frame: first.from, trackId: first.trackId });
    await older;
    expect(explanation).toMatchObject({ frame: first.from, trackId: first.trackId, label: first.annotated, labels: ['MW', 'NM', 'ND'], size: 32 });
    expect(explanation.heat.values).toHaveLength(explanation.heat.rows * explanation.heat.cols);
    // The entry's strip: its boxes cut as the run's crops, PNGs of the run's size.
    const strip = await workbench.entryCrops({ runId: 'heads', trackId: first.trackId, frames: stripFrames(first) });
    expect(strip.map((crop) => crop.frame)).toEqual(stripFrames(first));
    // Its first box is the one just explained: the same crop, byte for byte.
    expect(strip[0]!.crop).toMatch(/^data:image\/png;base64,/);
    expect(strip[0]!.crop).toBe(explanation.crop);
    await expect(workbench.entryCrops({ runId: 'heads', trackId: first.trackId, frames: [0, 99_999] })).rejects.toMatchObject({
      where: { field: 'frames[1]' },
    });
    await expect(workbench.entryCrops({ runId: 'heads', trackId: first.trackId, frames: Array.from({ length: 9 }, (_, i) => i) })).rejects.toMatchObject({
      where: { field: 'frames' },
    });
    await expect(workbench.startPrediction({ runId: 'heads', from: 0, to: 99_999 })).rejects.toMatchObject({ where: { field: 'to' } });
    // A backend by name: a worker's runs in the worker; the compute page's is refused while none can be had.
    const onCpu = await workbench.startPrediction({ runId: 'heads', from: 0, to: 1, backend: 'cpu' });
    expect(await jobEnd(events, onCpu.id)).toMatchObject({ type: 'job-done', result: { backend: 'cpu', complete: true } });
    await expect(workbench.startPrediction({ runId: 'heads', backend: 'webgpu' })).rejects.toMatchObject({
      code: 'backend-unavailable',
      message: expect.stringMatching(/^The webgpu backend runs in Maskbench's compute page, and none is open/),
      where: { field: 'backend' },
    });
    await expect(workbench.explainBox({ runId: 'heads', frame: first.from, trackId: first.trackId, backend: 'webgl' })).rejects.toMatchObject({
      code: 'backend-unavailable',
    });
    await expect(workbench.startCrossFit({ runId: 'heads', folds: 1 })).rejects.toMatchObject({ where: { field: 'folds' } });
    await expect(workbench.predictions({ runId: 'nope' })).rejects.toMatchObject({ code: 'run-not-found' });
  }, 120_000);

  it('keeps what reviewers decided, however quickly, and counts the top of the queue without the labels kept', async () => {
    const keptFile = join(projectPaths(project).run('heads'), 'predictions', 'kept.json');
    const first = await reviewRun(project, 'heads', 3);
    await Promise.all(first.entries.slice(0, 2).map((entry) => keepLabels(project, 'heads', keptLabelsOf(entry), true)));
    const next = await reviewRun(project, 'heads', 3);
    expect(next.kept).toHaveLength(first.entries[0]!.boxes.length + first.entries[1]!.boxes.length);
    expect(next.entries).toHaveLength(3);
    expect(next.entries[0]).toEqual(first.entries[2]);
    await writeFile(keptFile, '{ "schema": 1, "kept": 3 }');
    await expect(reviewRun(project, 'heads', 3)).rejects.toMatchObject({ message: expect.stringContaining('kept.json'), where: { field: 'kept' } });
    await rm(keptFile);
    expect((await reviewRun(project, 'heads', 3)).entries).toEqual(first.entries);
  });

  it('keeps the last cross-fit whole when a newer one is refused or cut short, and never writes over a dataset it did not make', async () => {
    const heads = projectPaths(project).run('heads');
    const files = runPaths(heads);
    const state = async () => ({
      predictions: await readFile(files.crossFitPredictions, 'utf8'),
      plan: await readFile(files.crossFitPlan, 'utf8'),
      runs: (await readdir(projectPaths(project).runs)).sort(),
      datasets: (await readdir(projectPaths(project).datasets)).sort(),
    });
    const last = await state();
    // The window's 2-fold cross-fit by track above is the last one.
    expect(JSON.parse(last.plan)).toMatchObject({ folds: 2, by: 'track', parts: [{ run: 'heads-fold1of2' }, { run: 'heads-fold2of2' }] });
    // A backend the folds cannot train on here is refused before anything is written.
    await expect(crossFitHere({ project, runId: 'heads', folds: 2, backend: 'webgl' }, quiet())).rejects.toMatchObject({
      code: 'backend-unavailable',
      where: { field: 'backend' },
    });
    expect(await state()).toEqual(last);
    // The user's own dataset under the name the next cross-fit's first fold would take.
    await buildDataset(project, 'heads-2-fold1of2', { ...DATASET_DEFAULTS, stride: 7, gap: 5, crop: 'head', size: 32, flip: true }, quiet());
    const users = await readFile(projectPaths(project).datasetManifest('heads-2-fold1of2'), 'utf8');
    const controller = new AbortController();
    // Cancelled as the second fold starts: the first fold's run is new, the second's not yet made.
    const logged: string[] = [];
    let madeFold1 = false;
    const cancelAtFold2 = (message: string) => {
      logged.push(message);
      if (!message.startsWith('Fold 2')) return;
      // The newer one took names nothing had (the user's dataset is untouched, below).
      madeFold1 = existsSync(projectPaths(project).run('heads-3-fold1of2'));
      controller.abort();
    };
    await expect(crossFitHere({ project, runId: 'heads', folds: 2 }, { ...quiet(), signal: controller.signal, log: cancelAtFold2 })).rejects.toThrow();
    expect(madeFold1).toBe(true);
    expect(logged.at(-1)).toBe(
      "The cross-fit stopped before its end: its fold runs went to the trash and their datasets were removed; run heads's last cross-fit (2 folds by track) is kept as it was",
    );
    // The last cross-fit's plan, predictions, fold runs and fold datasets are all as they were, and the
    // cut-short one left nothing behind: not its fold runs, nor their datasets, nor a pending plan.
    expect(await state()).toEqual({ ...last, datasets: [...last.datasets, 'heads-2-fold1of2'].sort() });
    expect(last.runs).toEqual(expect.arrayContaining(['heads-fold1of2', 'heads-fold2of2']));
    expect(last.datasets).toEqual(expect.arrayContaining(['heads-fold1of2', 'heads-fold2of2']));
    expect(await readdir(files.predictions)).not.toContain('cross-fit-plan.pending.json');
    expect(await readdir(projectPaths(project).trashedRuns)).toContain('heads-3-fold1of2');
    expect(await reviewRun(project, 'heads', 5)).toMatchObject({ outOfSample: true, foldBy: 'track', complete: true });
    expect(await readFile(projectPaths(project).datasetManifest('heads-2-fold1of2'), 'utf8')).toBe(users);
  }, 180_000);

  it('refuses a run whose classes no longer match the project’s labels, naming the difference', async () => {
    const file = join(project, 'project.json');
    const original = await readFile(file, 'utf8');
    const settings = JSON.parse(original) as { labels: Array<{ name: string; key: string }>; labelMapping: Record<string, string> };
    // ND renamed MI (and what imports mapped to ND mapped to MI).
    settings.labels = [...settings.labels.filter((label) => label.name !== 'ND'), { ...settings.labels[0]!, name: 'MI', key: '4' }];
    settings.labelMapping = Object.fromEntries(Object.entries(settings.labelMapping).map(([from, to]) => [from, to === 'ND' ? 'MI' : to]));
    await writeFile(file, JSON.stringify(settings));
    try {
      await expect(predictProject({ project, runId: 'heads' }, quiet(), openHere())).rejects.toThrow(
        /trained on the classes MW, NM, ND, but the project's labels are MW, NM, MI: MI is not among its classes; the project no longer has ND/,
      );
      const workbench = testWorkbench(await tempDir());
      await workbench.openProject({ path: project });
      await expect(workbench.startPrediction({ runId: 'heads' })).rejects.toMatchObject({ code: 'invalid-request', where: { field: 'runId' } });
    } finally {
      await writeFile(file, original);
    }
  });

  it('keeps the earlier predictions of the frames a cancelled prediction did not reach, else keeps it as partial, and says so', async () => {
    const file = runPaths(projectPaths(project).run('heads')).projectPredictions;
    const earlier = JSON.parse(await readFile(file, 'utf8')) as ProjectPredictions;
    expect(earlier).toMatchObject({ from: 0, to: FIXTURE_OPTIONS.frames - 1, complete: true });
    const cancelled = async () => {
      const controller = new AbortController();
      const context = { ...quiet(), signal: controller.signal, progress: (done: number) => done >= 10 && controller.abort() };
      await expect(predictProject({ project, runId: 'heads' }, context, openHere())).rejects.toThrow();
      return JSON.parse(await readFile(file, 'utf8')) as ProjectPredictions;
    };
    const kept = await cancelled();
    expect(kept).toMatchObject({ from: 0, to: FIXTURE_OPTIONS.frames - 1, complete: true });
    expect(kept.boxes.map((box) => `${box.frame}/${box.trackId}`)).toEqual(earlier.boxes.map((box) => `${box.frame}/${box.trackId}`));
    await rm(file);
    const partial = await cancelled();
    expect(partial.complete).toBe(false);
    expect(partial.boxes.length).toBeGreaterThan(0);
    expect(partial.boxes.length).toBeLessThan(earlier.boxes.length);
  });

  it('says what Ctrl+C kept of `maskbench predict` and `review --folds`, by what there was before, and exits with 130', async () => {
    /** `maskbench` with these arguments, Ctrl+C pressed once it reports progress past 0%. */
    const interrupted = async (...args: string[]) => {
      let err = '';
      const code = await runCli(args, {
        out: () => {},
        err: (text) => {
          if (/^[1-9]\d*% /.test(text) && !/^[1-9]\d*% /m.test(err)) process.emit('SIGINT');
          err += `${text}\n`;
        },
      });
      return { code, err };
    };
    const predictions = runPaths(projectPaths(project).run('heads')).projectPredictions;
    await rm(predictions, { force: true });
    expect(await interrupted('predict', '--project', project, '--run', 'heads')).toMatchObject({
      code: 130,
      err: expect.stringContaining(
        `maskbench: Predictions with run heads were cancelled: the boxes predicted until then are kept in ${predictions}, marked partial`,
      ),
    });
    expect(await interrupted('predict', '--project', project, '--run', 'heads')).toMatchObject({
      code: 130,
      err: expect.stringContaining(
        `the boxes predicted until then are kept in ${predictions} in place of their earlier predictions, and the other boxes keep theirs`,
      ),
    });
    // The run's last cross-fit, by track, from the window above.
    const crossFit = runPaths(projectPaths(project).run('heads')).crossFitPredictions;
    const last = await readFile(crossFit, 'utf8');
    expect(await interrupted('review', '--project', project, '--run', 'heads', '--folds', '2')).toMatchObject({
      code: 130,
      err: expect.stringContaining(`maskbench: The cross-fit of run heads was cancelled: its last cross-fit is kept as it was, in ${crossFit}`),
    });
    expect(await readFile(crossFit, 'utf8')).toBe(last);
    // A copy of the run with no cross-fit of its own.
    const copy = projectPaths(project).run('heads-copy');
    await cp(projectPaths(project).run('heads'), copy, { recursive: true });
    const copyFiles = runPaths(copy);
    await Promise.all([copyFiles.crossFitPredictions, copyFiles.crossFitPlan, copyFiles.pendingCrossFitPlan].map((file) => rm(file, { force: true })));
    expect(await interrupted('review', '--project', project, '--run', 'heads-copy', '--folds', '2')).toMatchObject({
      code: 130,
      err: expect.stringContaining(
        `maskbench: The cross-fit of run heads-copy was cancelled: the folds scored until then are kept in ${copyFiles.crossFitPredictions}, marked partial`,
      ),
    });
    expect(JSON.parse(await readFile(copyFiles.crossFitPredictions, 'utf8'))).toMatchObject({ runId: 'heads-copy', complete: false });
  }, 120_000);

  it('refuses a run whose model is missing or no longer fits it, and a range outside the clip', async () => {
    await expect(predictProject({ project, runId: 'heads', from: 10, to: 5 }, quiet(), openHere())).rejects.toMatchObject({ where: { field: 'to' } });
    await expect(predictProject({ project, runId: 'heads', from: 99_999 }, quiet(), openHere())).rejects.toMatchObject({ where: { field: 'from' } });
    const config = join(projectPaths(project).run('heads'), 'config.json');
    const original = await readFile(config, 'utf8');
    await writeFile(config, original.replaceAll('"size": 32', '"size": 64'));
    await expect(predictProject({ project, runId: 'heads' }, quiet(), openHere())).rejects.toThrow(/takes 32x32x3 inputs, but its dataset's crops are 64x64x3/);
    await writeFile(config, original);
    await rm(join(projectPaths(project).run('heads'), 'model-best', 'weights.bin'));
    await expect(predictProject({ project, runId: 'heads' }, quiet(), openHere())).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('weights.bin is missing'),
    });
  });

  it('`maskbench review` refuses flags that would do nothing, and says when the model judged no box rather than that it agrees with all', async () => {
    expect(await cli('review', '--project', project, '--run', 'heads', '--by', 'track')).toMatchObject({
      code: 2,
      err: 'maskbench: --by goes with --folds: what each fold holds out\n',
    });
    expect(await cli('review', '--project', project, '--run', 'heads', '--backend', 'cpu')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--backend goes with'),
    });
    expect(await cli('review', '--project', project, '--run', 'heads', '--top', '0')).toMatchObject({
      code: 2,
      err: 'maskbench: --top must be a whole number from 1 to 100000, got 0\n',
    });
    // A cross-fit stopped before its first fold scored anything, and no predictions of the run's own.
    const unjudged = projectPaths(project).run('heads-unjudged');
    await cp(projectPaths(project).run('heads'), unjudged, { recursive: true });
    await rm(runPaths(unjudged).predictions, { recursive: true });
    const empty: ProjectPredictions = {
      schema: 1,
      runId: 'heads-unjudged',
      backend: 'wasm',
      labels: ['MW', 'NM', 'ND'],
      from: 0,
      to: 99,
      complete: false,
      boxes: [],
    };
    await mkdir(runPaths(unjudged).predictions);
    await writeFile(runPaths(unjudged).crossFitPredictions, JSON.stringify(empty));
    const review = await cli('review', '--project', project, '--run', 'heads-unjudged');
    expect(review).toMatchObject({ code: 0, out: '' });
    expect(review.err).toContain('The model judged no box');
    expect(review.err).not.toContain('agrees');
  });
});
