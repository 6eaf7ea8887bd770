// A run on the GPU through the compute page, end to end in browser mode: `maskbench serve`, its compute
// page open in headless Chromium (WebGPU on SwiftShader here, asked for by name), and a run started from
// the Train view with backend webgpu. Core keeps the job: the curves stream, the run folder is written
// by core, and its model reloads on the CPU to the predictions the page made. A cancel stops a run
// within a batch, and a compute page that closes fails its run alone, with the reason.

import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { RunConfig, RunSummary, SplitPredictions } from '../../src/shared/runs';
import { readJsonFile } from '../../src/core/fs/json-file';
import { projectPaths, runPaths } from '../../src/core/project/layout';
import { loadModel } from '../../src/core/training/load-model';
import { loadTrainingData } from '../../src/core/training/training-data';
import { ROOT } from '../support/built-app';
import { makeSampleWithHeads, serveInBrowser, type ServedInBrowser } from '../support/sample-in-browser';

describe('training on the GPU through the compute page (browser mode)', () => {
  let folder: string;
  let project: string;
  let served: ServedInBrowser;
  let page: Page;
  let compute: Page;

  beforeAll(async () => {
    const sample = await makeSampleWithHeads(80, 640, 360);
    folder = sample.folder;
    project = sample.project;
    served = await serveInBrowser(project, folder, { gpu: true });
    page = served.page;
    compute = await served.browser.newPage();
    await compute.goto(served.server.computeUrl);
    // The window reads the backends on offer when it loads: now with a compute page open.
    await page.reload();
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await served?.close();
    await rm(folder, { recursive: true, force: true });
  });

  const runs = async () => (await readdir(projectPaths(project).runs)).sort();
  const summaryOf = async (id: string) => (await readJsonFile(runPaths(projectPaths(project).run(id)).summary)) as RunSummary;

  /** Waits until the run in the Train view is between batches of its first epoch. */
  const trainingBatches = () => page.locator('[data-test=train-live] h3', { hasText: /Epoch 1 of \d+, batch/ }).waitFor({ timeout: 120_000 });

  async function startRun(epochs: number): Promise<void> {
    await page.locator('[data-test=train-epochs]').fill(String(epochs));
    await page.locator('[data-test=train-start]').click();
  }

  it('trains a run from the Train view on webgpu: curves stream, core writes the run, and its model predicts on the CPU as the page did', async () => {
    onTestFailed(() => page.screenshot({ path: join(ROOT, 'test-results', 'failed-compute-host.png') }).then(() => {}));
    await page.keyboard.press('Alt+3');
    await page.locator('[data-model=simple-conv] input').check();
    await page.locator('[data-test=train-batch]').fill('16');
    await page.locator('[data-test=train-backend]').selectOption('webgpu');
    await startRun(1);
    await page.locator('[data-test=train-live-epoch]').waitFor({ timeout: 120_000 });
    await page.locator('[data-test=train-live] [data-test=confusion]').waitFor();
    await page.getByText('Training simple-conv on heads (webgpu) finished').waitFor({ timeout: 180_000 });
    const row = page.locator('[data-test=runs] tbody tr').first();
    await expect.poll(() => row.getAttribute('data-status')).toBe('done');
    // The adapter that ran, named: SwiftShader's software adapter here.
    expect(await row.locator('[data-test=run-backend]').textContent()).toMatch(/^webgpu on .*\(software\)/);

    const [id] = await runs();
    const folderOfRun = runPaths(projectPaths(project).run(id!));
    expect(await summaryOf(id!)).toMatchObject({ status: 'done', epochs: 1, bestEpoch: 1 });
    const recorded = (await readJsonFile(folderOfRun.splitPredictions('test', (await summaryOf(id!)).bestEpoch!))) as SplitPredictions;
    const model = await loadModel(folderOfRun.model('best'));
    const data = await loadTrainingData(project, 'heads', new AbortController().signal);
    const test = data.splits.test;
    const probabilities = tf.tidy(() =>
      (model.predict(tf.div(tf.tensor4d(test.pixels, [test.count, data.size, data.size, 3], 'float32'), 255)) as tf.Tensor2D).arraySync(),
    );
    model.dispose();
    expect(recorded.files).toEqual(test.files);
    probabilities.forEach((row, i) => {
      expect(row[recorded.predicted[i]!]).toBeCloseTo(recorded.confidence[i]!, 3);
    });
  }, 300_000);

  it('passes over the software adapter with auto, and says so in the run', async () => {
    await page.locator('[data-test=train-backend]').selectOption('auto');
    await startRun(1);
    await page.getByText('Training simple-conv on heads finished').waitFor({ timeout: 120_000 });
    const id = (await runs()).at(-1)!;
    const config = (await readJsonFile(runPaths(projectPaths(project).run(id)).config)) as RunConfig;
    expect(config.backend).toMatchObject({ name: 'wasm', requested: 'auto' });
    expect(config.backend!.passedOver).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^webgpu: only a software adapter \(.*\(software\)\)/),
        expect.stringMatching(/^webgl: only a software adapter/),
      ]),
    );
    await page.locator('[data-test=train-backend]').selectOption('webgpu');
  }, 200_000);

  it('cancels a webgpu run within a batch, and the page takes the next', async () => {
    const before = await runs();
    await startRun(500);
    await trainingBatches();
    await page.locator('[data-test=train-cancel]').click();
    await page.getByText('was cancelled').waitFor({ timeout: 30_000 });
    const id = (await runs()).find((run) => !before.includes(run))!;
    await expect.poll(async () => (await summaryOf(id).catch(() => null))?.status, { timeout: 30_000 }).toBe('cancelled');
  }, 200_000);

  it('fails only the run whose compute page closes, with the reason, and refuses webgpu while none is open', async () => {
    const before = await runs();
    await startRun(500);
    await trainingBatches();
    const id = (await runs()).find((run) => !before.includes(run))!;
    await compute.close();
    await expect.poll(async () => (await summaryOf(id).catch(() => null))?.status, { timeout: 60_000 }).toBe('failed');
    expect((await summaryOf(id)).error?.message).toMatch(/compute page training on webgpu went away/);

    await startRun(1);
    await page.getByText(/trains in Maskbench's compute page, and none is open/).waitFor({ timeout: 30_000 });
  }, 200_000);
});
