import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DATASET_DEFAULTS } from '../../src/shared/dataset';
import type { ProjectPredictions, ReviewEntry } from '../../src/shared/review';
import { TRAINING_DEFAULTS } from '../../src/shared/runs';
import { buildDataset } from '../../src/core/dataset/build-dataset';
import { importIntoProject } from '../../src/core/project/import-into-project';
import { predictProject } from '../../src/core/review/predict-project';
import { keepLabel, readPredictions, reviewRun } from '../../src/core/review/review-run';
import { reviewQueue } from '../../src/core/review/review-queue';
import { crossFitHere, openHere } from '../../src/core/review/run-here';
import { projectPaths, runPaths } from '../../src/core/project/layout';
import { trainRun } from '../../src/core/training/train-run';
import type { Relabelled } from '../../src/core/sample/label-noise';
import type { WorkbenchEvent } from '../../src/shared/api';
import { useTempDirs } from '../support/temp-dir';
import { jobEnd, testWorkbench } from '../support/workbench';
const quiet = () => ({ signal: new AbortController().signal, progress: () => {}, log: () => {} });

describe('the review queue', () => {
  const box = { xtl: 0, ytl: 0, xbr: 10, ybr: 10 };
  const prediction = (frame: number, trackId: number, label: string, predicted: string, confidence: number) => ({
    frame,
    trackId,
    label,
    box,
    predicted,
    probabilities: predicted === 'MW' ? [confidence, 1 - confidence] : [1 - confidence, confidence],
  });

  it('puts a short stretch labelled against its track first, and still lists a whole track the model doubts, lower', () => {
    const boxes = [
      // Track 1: MW throughout, but frames 20-22 labelled NM; the model sees MW everywhere.
      ...Array.from({ length: 40 }, (_, f) => prediction(f, 1, f >= 20 && f <= 22 ? 'NM' : 'MW', 'MW', 0.9)),
      // Track 2: labelled NM throughout; the model says MW just as surely.
      ...Array.from({ length: 40 }, (_, f) => prediction(f, 2, 'NM', 'MW', 0.9)),
    ];
    const queue = reviewQueue(
      { schema: 1, runId: 'r', backend: 'wasm', labels: ['MW', 'NM'], from: 0, to: 39, complete: true, boxes },
      { classes: 'MW,NM', ndPolicy: 'merge' },
    );
    expect(
      queue
        .slice(0, 3)
        .map((entry) => `${entry.trackId}/${entry.frame}`)
        .sort(),
    ).toEqual(['1/20', '1/21', '1/22']);
    expect(queue.slice(0, 3).every((entry) => entry.annotated === 'NM' && entry.suggested === 'MW' && entry.doubt === 0.9)).toBe(true);
    expect(queue).toHaveLength(43);
    expect(queue.at(-1)).toMatchObject({ trackId: 2, trackDisagreement: 0, score: 0.225 });
    // The model's doubt alone cannot tell the two apart.
    expect(
      new Set(
        reviewQueue(
          { schema: 1, runId: 'r', backend: 'wasm', labels: ['MW', 'NM'], from: 0, to: 39, complete: true, boxes },
          { classes: 'MW,NM', ndPolicy: 'merge' },
          { trackWindow: 0 },
        ).map((entry) => entry.score),
      ),
    ).toEqual(new Set([0.9]));
  });
});

describe('a model in the loop', () => {
  const tempDir = useTempDirs();
  let project: string;
  let relabelled: Relabelled[];

  beforeAll(async () => {
    // The sample's noisy annotations as the project's own: the mistakes the review should find.
    // Shared by the tests below, so not from useTempDirs (which empties after each test).
    project = await mkdtemp(join(tmpdir(), 'maskbench-test-review-'));
    await cp(inject('sampleProject'), project, { recursive: true });
    await importIntoProject(project, join(project, 'annotations', 'noisy', 'cvat-video.xml'), { force: true });
    relabelled = JSON.parse(await readFile(join(project, 'annotations', 'noisy', 'label-noise.json'), 'utf8')).relabelled;
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
    for (const box of result.boxes) {
      expect(box.probabilities.reduce((a, b) => a + b)).toBeCloseTo(1, 2);
      expect(box.predicted).toBe(result.labels[box.probabilities.indexOf(Math.max(...box.probabilities))]);
    }
    const saved = JSON.parse(await readFile(runPaths(projectPaths(project).run('heads')).projectPredictions, 'utf8')) as ProjectPredictions;
    expect(saved.boxes).toHaveLength(result.boxes.length);
  });

  it('ranks the likeliest label mistakes first: the top of the queue holds far more of the injected errors than chance', async () => {
    const predictions = await predictProject({ project, runId: 'heads' }, quiet(), openHere());
    const wrong = new Set(relabelled.map((entry) => `${entry.frame}/${entry.trackId}`));
    const k = relabelled.length;
    const queue = reviewQueue(predictions, DATASET_DEFAULTS, { top: k });
    const found = queue.filter((entry) => wrong.has(`${entry.frame}/${entry.trackId}`)).length;
    const baseRate = k / predictions.boxes.length;
    expect(found / k).toBeGreaterThan(4 * baseRate);
    expect(queue.every((entry, i) => i === 0 || queue[i - 1]!.score >= entry.score)).toBe(true);
  }, 120_000);

  it('cross-fits: every box scored by a model that never trained on it, the queue finding most injected errors in its first K', async () => {
    const predictions = await crossFitHere({ project, runId: 'heads', folds: 3 }, quiet());
    expect(predictions.complete).toBe(true);
    const inSample = await predictProject({ project, runId: 'heads' }, quiet(), openHere());
    expect(predictions.boxes).toHaveLength(inSample.boxes.length);
    // Each fold's model left its fold (and a gap either side) out of training.
    for (let fold = 1; fold <= 3; fold++) {
      const manifest = JSON.parse(await readFile(join(project, 'datasets', `heads-fold${fold}of3`, 'manifest.json'), 'utf8')) as {
        samples: Array<{ frame: number; split: string }>;
      };
      const test = manifest.samples.filter((sample) => sample.split === 'test').map((sample) => sample.frame);
      const trained = manifest.samples.filter((sample) => sample.split === 'train').map((sample) => sample.frame);
      expect(trained.every((frame) => frame < Math.min(...test) - 5 || frame > Math.max(...test) + 5)).toBe(true);
    }
    const wrong = new Set(relabelled.map((entry) => `${entry.frame}/${entry.trackId}`));
    const k = relabelled.length;
    const precision = (queue: ReturnType<typeof reviewQueue>) => queue.filter((entry) => wrong.has(`${entry.frame}/${entry.trackId}`)).length / k;
    // By the model's doubt alone, out-of-sample scores find mistakes far above chance. (Seeded training on
    // the same crops: repeatable.) They do not beat a model trained on every frame for 8 epochs, which has
    // not yet learnt the wrong labels and has seen each person's other frames: on this busy clip, models
    // generalise to unseen stretches less well than they recall seen people.
    const outOfSample = precision(reviewQueue(predictions, DATASET_DEFAULTS, { top: k, trackWindow: 0 }));
    expect(outOfSample).toBeGreaterThan(4 * (k / predictions.boxes.length));
    // The queue also weighs the track's labels around each box: annotators mislabel stretches of a track.
    const queued = precision(reviewQueue(predictions, DATASET_DEFAULTS, { top: k }));
    expect(queued).toBeGreaterThanOrEqual(outOfSample);
    // The issue's measure on this smaller clip (99 mistakes, a twentieth of its boxes): at least 80% of them in the first K.
    expect(queued).toBeGreaterThanOrEqual(0.8);
  }, 300_000);

  it('predicts and reviews from the window: a job per prediction, the queue out of sample once cross-fitted, the heat map of one box', async () => {
    const workbench = testWorkbench(await tempDir());
    await workbench.openProject({ path: project });
    const events: WorkbenchEvent[] = [];
    workbench.onEvent((event) => events.push(event));
    const job = await workbench.startPrediction({ runId: 'heads', from: 0, to: 9 });
    expect(job).toMatchObject({ kind: 'prediction', state: 'running' });
    expect(await jobEnd(events, job.id)).toMatchObject({ type: 'job-done', result: { runId: 'heads', from: 0, to: 9, complete: true } });
    const predictions = (await workbench.predictions({ runId: 'heads' }))!;
    expect(new Set(predictions.boxes.map((box) => box.frame))).toEqual(new Set(Array.from({ length: 10 }, (_, i) => i)));
    // Cross-fitting trains, so it queues for a training slot; the queue then scores every box out of sample.
    const crossFitting = await workbench.startCrossFit({ runId: 'heads', folds: 2 });
    expect(crossFitting).toMatchObject({ kind: 'cross-fit', state: 'queued' });
    expect(await jobEnd(events, crossFitting.id)).toMatchObject({ type: 'job-done', result: { runId: 'heads', complete: true } });
    expect((await workbench.listRuns()).filter((run) => run.config.group === 'heads-cross-fit').map((run) => run.id)).toEqual(
      expect.arrayContaining(['heads-fold1of2', 'heads-fold2of2']),
    );
    // The folds train on the run's own backend when none is asked for.
    expect((await workbench.listRuns()).find((run) => run.id === 'heads-fold1of2')?.config.backend).toMatchObject({ name: 'wasm', requested: 'wasm' });
    const queue = await workbench.reviewQueue({ runId: 'heads', top: 5 });
    expect(queue).toMatchObject({ runId: 'heads', outOfSample: true, complete: true, kept: [] });
    expect(queue.entries).toHaveLength(5);
    const first = queue.entries[0]!;
    // A label kept against the model is saved in the run, and found decided by the next review.
    const kept = { frame: first.frame, trackId: first.trackId, label: first.annotated };
    expect(await workbench.keepLabel({ runId: 'heads', ...kept, keep: true })).toEqual([kept]);
    const later = testWorkbench(await tempDir());
    await later.openProject({ path: project });
    expect((await later.reviewQueue({ runId: 'heads', top: 5 })).kept).toEqual([kept]);
    expect(await workbench.keepLabel({ runId: 'heads', ...kept, keep: false })).toEqual([]);
    await expect(workbench.keepLabel({ runId: 'heads', ...kept } as never)).rejects.toMatchObject({ where: { field: 'keep' } });
    await expect(workbench.keepLabel({ runId: 'heads', ...kept, label: 'XX', keep: true })).rejects.toMatchObject({ where: { field: 'label' } });
    // Asked again before the first answer: the older request stops, the newer one answers.
    const older = expect(workbench.explainBox({ runId: 'heads', frame: queue.entries[1]!.frame, trackId: queue.entries[1]!.trackId })).rejects.toMatchObject({
      code: 'superseded',
    });
    const explanation = await workbench.explainBox({ runId: 'heads', frame: first.frame, trackId: first.trackId });
    await older;
    expect(explanation).toMatchObject({ frame: first.frame, trackId: first.trackId, label: first.annotated, labels: ['MW', 'NM', 'ND'], size: 32 });
    expect(explanation.heat.values).toHaveLength(explanation.heat.rows * explanation.heat.cols);
    await expect(workbench.startPrediction({ runId: 'heads', from: 0, to: 99_999 })).rejects.toMatchObject({ where: { field: 'to' } });
    // A backend by name: a worker's runs in the worker; the compute page's is refused while none can be had.
    const onCpu = await workbench.startPrediction({ runId: 'heads', from: 0, to: 1, backend: 'cpu' });
    expect(await jobEnd(events, onCpu.id)).toMatchObject({ type: 'job-done', result: { backend: 'cpu', complete: true } });
    await expect(workbench.startPrediction({ runId: 'heads', backend: 'webgpu' })).rejects.toMatchObject({
      code: 'backend-unavailable',
      message: expect.stringMatching(/^The webgpu backend runs in Maskbench's compute page, and none is open/),
      where: { field: 'backend' },
    });
    await expect(workbench.explainBox({ runId: 'heads', frame: first.frame, trackId: first.trackId, backend: 'webgl' })).rejects.toMatchObject({
      code: 'backend-unavailable',
    });
    await expect(workbench.startCrossFit({ runId: 'heads', folds: 1 })).rejects.toMatchObject({ where: { field: 'folds' } });
    await expect(workbench.predictions({ runId: 'nope' })).rejects.toMatchObject({ code: 'run-not-found' });
  }, 120_000);

  it('keeps what reviewers decided, however quickly, and counts the top of the queue without the labels kept', async () => {
    const keptFile = join(projectPaths(project).run('heads'), 'predictions', 'kept.json');
    const first = await reviewRun(project, 'heads', 3);
    const keptLabel = (entry: ReviewEntry) => ({ frame: entry.frame, trackId: entry.trackId, label: entry.annotated });
    await Promise.all(first.entries.slice(0, 2).map((entry) => keepLabel(project, 'heads', keptLabel(entry), true)));
    const next = await reviewRun(project, 'heads', 3);
    expect(next.kept).toHaveLength(2);
    expect(next.entries).toHaveLength(3);
    expect(next.entries[0]).toEqual(first.entries[2]);
    await writeFile(keptFile, '{ "schema": 1, "kept": 3 }');
    await expect(reviewRun(project, 'heads', 3)).rejects.toMatchObject({ message: expect.stringContaining('kept.json'), where: { field: 'kept' } });
    await rm(keptFile);
    expect((await reviewRun(project, 'heads', 3)).entries).toEqual(first.entries);
  });

  it('ranks by the run’s own predictions, said to be in sample, when a cross-fit was cut short; a cross-fit again trashes the old fold runs', async () => {
    const controller = new AbortController();
    // Cancelled as the second fold starts: the first fold's run is new, its predictions partial.
    const cancelAtFold2 = (message: string) => message.startsWith('Fold 2') && controller.abort();
    await expect(crossFitHere({ project, runId: 'heads', folds: 2 }, { ...quiet(), signal: controller.signal, log: cancelAtFold2 })).rejects.toThrow();
    expect(JSON.parse(await readFile(runPaths(projectPaths(project).run('heads')).crossFitPredictions, 'utf8'))).toMatchObject({ complete: false });
    const queue = await reviewRun(project, 'heads', 5);
    expect(queue).toMatchObject({ outOfSample: false, complete: true });
    expect(queue.entries).toEqual(reviewQueue((await readPredictions(projectPaths(project).run('heads'), 'project'))!, DATASET_DEFAULTS, { top: 5 }));
    // The window's 2-fold cross-fit above made heads-fold1of2: its folder went to the trash before fold 1 trained again.
    expect(await readdir(join(project, 'trash', 'runs'))).toContain('heads-fold1of2');
  }, 120_000);

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

  it('keeps a cancelled prediction as partial, and says so', async () => {
    const controller = new AbortController();
    const context = { ...quiet(), signal: controller.signal, progress: (done: number) => done >= 10 && controller.abort() };
    await expect(predictProject({ project, runId: 'heads' }, context, openHere())).rejects.toThrow();
    const saved = JSON.parse(await readFile(runPaths(projectPaths(project).run('heads')).projectPredictions, 'utf8')) as ProjectPredictions;
    expect(saved.complete).toBe(false);
    expect(saved.boxes.length).toBeGreaterThan(0);
  });

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
});
