// Label review on the default sample project made with --label-noise 0.05, once for each shape of mistake
// (isolated boxes, stretches of 4-12 frames, whole tracks): the share of wrong labels among the first K
// boxes the review queue's entries cover, K being how many were made wrong. Target: 0.80 for each shape.
// Also how fast a run predicts the project's boxes, and how long the window waits for a box's heat map.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, bench, describe } from 'vitest';
import { DATASET_DEFAULTS } from '../src/shared/dataset';
import type { ProjectPredictions } from '../src/shared/review';
import { TRAINING_DEFAULTS } from '../src/shared/runs';
import { buildDataset } from '../src/core/dataset/build-dataset';
import { importIntoProject } from '../src/core/project/import-into-project';
import { predictProject } from '../src/core/review/predict-project';
import { crossFitHere, openHere } from '../src/core/review/run-here';
import { reviewQueue } from '../src/core/review/review-queue';
import { precisionAtK, type LabelNoise, type NoiseShape } from '../src/core/sample/label-noise';
import { trainRun } from '../src/core/training/train-run';
import { BIN, assertBuilt } from '../test/support/built-app';
import { testWorkbench } from '../test/support/workbench';

assertBuilt();
const folder = await mkdtemp(join(tmpdir(), 'maskbench-bench-review-'));
const results: string[] = [];
const once = { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 };
const context = { signal: new AbortController().signal, progress: () => {}, log: () => {} };

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
  console.log(`\nLabel review: ${results.join('; ')}`);
});

describe('label review', () => {
  /**
   * The sample with mistakes of one shape as the project's labels, and the quality bench's run: conv-bn on
   * head crops (top 16%) of every 5th frame at 64 px, flipped copies in train, 12 epochs, cosine. People a
   * model never saw are what track folds test, and at 32 px on the top quarter it was wrong on many of them.
   */
  async function noisyProject(shape: NoiseShape): Promise<{ project: string; noise: LabelNoise }> {
    const project = join(folder, shape);
    await promisify(execFile)(process.execPath, [BIN, 'sample', project, '--label-noise', '0.05', '--noise-shape', shape]);
    await importIntoProject(project, join(project, 'annotations', 'noisy', 'cvat-video.xml'), { force: true });
    await buildDataset(project, 'heads', { ...DATASET_DEFAULTS, stride: 5, crop: 'head', headFraction: 0.16, flip: true }, context);
    await trainRun(
      { project, runId: 'heads', options: { ...TRAINING_DEFAULTS, dataset: 'heads', model: 'conv-bn', epochs: 12, schedule: 'cosine', backend: 'wasm' } },
      context,
    );
    return { project, noise: JSON.parse(await readFile(join(project, 'annotations', 'noisy', 'label-noise.json'), 'utf8')) as LabelNoise };
  }
  const precision = (predictions: ProjectPredictions, noise: LabelNoise) => precisionAtK(reviewQueue(predictions, DATASET_DEFAULTS), noise).toFixed(2);

  bench(
    'precision at K for each shape of mistake, cross-fitted over 3 folds by time and by track',
    async () => {
      const figures: string[] = [];
      for (const shape of ['isolated', 'stretch', 'track'] as const) {
        const started = performance.now();
        const { project, noise } = await noisyProject(shape);
        const byTime = await crossFitHere({ project, runId: 'heads', folds: 3, by: 'time' }, context);
        const byTrack = await crossFitHere({ project, runId: 'heads', folds: 3, by: 'track' }, context);
        const inSample = await predictProject({ project, runId: 'heads' }, context, openHere());
        figures.push(
          `${shape}: ${noise.relabelled.length} wrong of ${noise.boxes} boxes (${new Set(noise.relabelled.map((box) => box.trackId)).size} tracks), precision at K by time ${precision(byTime, noise)}, by track ${precision(byTrack, noise)} (target 0.80), in sample ${precision(inSample, noise)}; ${Math.round((performance.now() - started) / 1000)} s`,
        );
      }
      results.push(`precision at K, cross-fitted over 3 folds: ${figures.join('; ')}`);
    },
    once,
  );

  bench(
    'how fast a run predicts every box, and a heat map as the window asks for one',
    async () => {
      const { project } = await noisyProject('runs');
      const predicting = performance.now();
      const inSample = await predictProject({ project, runId: 'heads' }, context, openHere());
      const predictSeconds = (performance.now() - predicting) / 1000;
      // A heat map as the window asks for one (a worker each, which loads TensorFlow.js): five boxes spread
      // over the clip (a late frame decodes further).
      const workbench = testWorkbench(join(folder, 'data'));
      await workbench.openProject({ path: project });
      const explainMs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const box = inSample.boxes[Math.floor(((i + 0.5) * inSample.boxes.length) / 5)]!;
        const asked = performance.now();
        await workbench.explainBox({ runId: 'heads', frame: box.frame, trackId: box.trackId });
        explainMs.push(performance.now() - asked);
      }
      explainMs.sort((a, b) => a - b);
      results.push(
        `predicting every box: ${Math.round(inSample.boxes.length / predictSeconds)} boxes/s (${predictSeconds.toFixed(1)} s, decoding included); a Grad-CAM heat map: median ${Math.round(explainMs[2]!)} ms, slowest ${Math.round(explainMs[4]!)} ms of 5 boxes spread over the clip`,
      );
    },
    once,
  );
});
