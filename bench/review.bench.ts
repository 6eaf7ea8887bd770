// Label review on the default sample project made with --label-noise 0.05: how many of the injected label
// mistakes are among the first K entries of the review queue, K being their number. Target: 80%. Also how
// fast a run predicts the project's boxes, and how long the window waits for a box's heat map.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, bench, describe } from 'vitest';
import { DATASET_DEFAULTS } from '../src/shared/dataset';
import { TRAINING_DEFAULTS } from '../src/shared/runs';
import { buildDataset } from '../src/core/dataset/build-dataset';
import { importIntoProject } from '../src/core/project/import-into-project';
import { predictProject } from '../src/core/review/predict-project';
import { crossFitHere, openHere } from '../src/core/review/run-here';
import { reviewQueue } from '../src/core/review/review-queue';
import type { Relabelled } from '../src/core/sample/label-noise';
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
  bench(
    'precision at K on the default sample with 5% label noise',
    async () => {
      const project = join(folder, 'walkway');
      await promisify(execFile)(process.execPath, [BIN, 'sample', project, '--label-noise', '0.05']);
      await importIntoProject(project, join(project, 'annotations', 'noisy', 'cvat-video.xml'), { force: true });
      const relabelled = JSON.parse(await readFile(join(project, 'annotations', 'noisy', 'label-noise.json'), 'utf8')).relabelled as Relabelled[];
      await buildDataset(project, 'heads', { ...DATASET_DEFAULTS, stride: 2, crop: 'head', size: 32 }, context);
      const started = performance.now();
      await trainRun({ project, runId: 'heads', options: { ...TRAINING_DEFAULTS, dataset: 'heads', model: 'conv-bn', epochs: 8, backend: 'wasm' } }, context);
      const wrong = new Set(relabelled.map((entry) => `${entry.frame}/${entry.trackId}`));
      const k = relabelled.length;
      const precision = (predictions: Awaited<ReturnType<typeof predictProject>>, trackWindow?: number) =>
        reviewQueue(predictions, DATASET_DEFAULTS, { top: k, ...(trackWindow !== undefined ? { trackWindow } : {}) }).filter((entry) =>
          wrong.has(`${entry.frame}/${entry.trackId}`),
        ).length / k;
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
      const crossFitted = await crossFitHere({ project, runId: 'heads', folds: 3 }, context);
      results.push(
        `${k} injected label mistakes among ${crossFitted.boxes.length} boxes (chance ${(k / crossFitted.boxes.length).toFixed(3)}): precision at K of the queue cross-fitted over 3 folds ${precision(crossFitted).toFixed(2)} (target 0.80), in sample ${precision(inSample).toFixed(2)}; ranked by the model's doubt alone ${precision(crossFitted, 0).toFixed(2)} cross-fitted, ${precision(inSample, 0).toFixed(2)} in sample; conv-bn on head crops of every 2nd frame at 32 px, ${Math.round((performance.now() - started) / 1000)} s in all. Predicting every box: ${Math.round(inSample.boxes.length / predictSeconds)} boxes/s (${predictSeconds.toFixed(1)} s, decoding included); a Grad-CAM heat map: median ${Math.round(explainMs[2]!)} ms, slowest ${Math.round(explainMs[4]!)} ms of 5 boxes spread over the clip`,
      );
    },
    once,
  );
});
