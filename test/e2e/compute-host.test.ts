// A run on the GPU through the compute page, end to end in browser mode: `maskbench serve`, its compute
// page open in headless Chromium (WebGPU on SwiftShader here, asked for by name), and a run started from
// the Train view with backend webgpu. Core keeps the job: the curves stream, the run folder is written
// by core, and its model reloads on the CPU to the predictions the page made. A cancel ends a run at
// once and leaves the page connected (its line of status says so), a compute page that closes fails
// its run alone, with the reason, and a page whose link is lost connects again by itself.

import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { COMPUTE_PATH } from '../../src/shared/compute';
import type { ProjectPredictions } from '../../src/shared/review';
import type { RunConfig, RunSummary, SplitPredictions } from '../../src/shared/runs';
import { readJsonFile } from '../../src/core/fs/json-file';
import { projectPaths, runPaths } from '../../src/core/project/layout';
import { predictProject } from '../../src/core/review/predict-project';
import { openHere } from '../../src/core/review/run-here';
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
    // Short: the busy sample has ten people a frame, and every box is predicted on a software GPU.
    const sample = await makeSampleWithHeads(24, 640, 360);
    folder = sample.folder;
    project = sample.project;
    served = await serveInBrowser(project, folder, { gpu: true });
    page = served.page;
    compute = await served.browser.newPage();
    await compute.goto(served.server.computeUrl);
    // The window follows the page as it connects: webgpu is on offer with no reload.
    await webgpuOnPage();
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await served?.close();
    await rm(folder, { recursive: true, force: true });
  });

  const runs = async () => (await readdir(projectPaths(project).runs)).sort();
  const webgpuOffered = () => page.locator('[data-test=train-backend] option[value=webgpu]').textContent();
  /** Waits until the Train view offers webgpu on a compute page: the window follows pages as they come, with no reload. */
  const webgpuOnPage = () =>
    page.locator('[data-test=train-backend] option[value=webgpu]', { hasText: /^webgpu \(GPU\)$/ }).waitFor({ state: 'attached', timeout: 30_000 });
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

  it('predicts, explains and cross-fits on the compute page from the Review view, as the CPU does', async () => {
    onTestFailed(() => page.screenshot({ path: join(ROOT, 'test-results', 'failed-compute-host-review.png') }).then(() => {}));
    const [id] = await runs();
    await page.keyboard.press('Alt+5');
    const panel = page.locator('[data-test=review-panel]');
    await panel.locator('[data-test=review-run]').selectOption(id!);
    await panel.locator('[data-test=review-backend]').selectOption('webgpu');
    await panel.locator('[data-test=predict]').click();
    const summary = panel.locator('[data-test=prediction-summary]');
    await summary.waitFor({ timeout: 180_000 });
    expect(await summary.textContent()).toMatch(/boxes on webgpu on .*\(software\)/);
    const onGpu = (await readJsonFile(runPaths(projectPaths(project).run(id!)).projectPredictions)) as ProjectPredictions;
    expect(onGpu).toMatchObject({ complete: true, backend: expect.stringMatching(/^webgpu on /) });

    // The same boxes on the CPU, in this process: the same probabilities up to float error.
    const onCpu = await predictProject(
      { project, runId: id!, backend: 'cpu' },
      { signal: new AbortController().signal, progress: () => {}, log: () => {} },
      openHere('cpu'),
    );
    expect(onCpu.boxes.map(({ frame, trackId }) => [frame, trackId])).toEqual(onGpu.boxes.map(({ frame, trackId }) => [frame, trackId]));
    onCpu.boxes.forEach((box, i) => box.probabilities.forEach((p, k) => expect(Math.abs(p - onGpu.boxes[i]!.probabilities[k]!)).toBeLessThan(2e-3)));

    // A box's heat map, asked of the page as the selection moves: the first box of frame 0.
    await page.keyboard.press('Home');
    await page.keyboard.press('Tab');
    const selected = panel.locator('[data-test=review-selected] h3');
    await selected.waitFor();
    const trackId = Number(/^Track (\d+), frame 0$/.exec((await selected.textContent())!.trim())![1]);
    await panel.locator('[data-test=heat-crop]').waitFor({ timeout: 60_000 });
    const box = onGpu.boxes.find((candidate) => candidate.frame === 0 && candidate.trackId === trackId)!;
    expect(await panel.locator('[data-test=model-label]').textContent()).toBe(box.predicted);

    // Cross-fitting on webgl: each fold trains and judges on the page.
    await panel.locator('[data-test=review-backend]').selectOption('webgl');
    await panel.locator('[data-test=folds]').fill('2');
    await panel.locator('[data-test=cross-fit]').click();
    await panel.locator('[data-test=out-of-sample]').waitFor({ timeout: 300_000 });
    const crossFitted = (await readJsonFile(runPaths(projectPaths(project).run(id!)).crossFitPredictions)) as ProjectPredictions;
    // SwiftShader's WebGL, named as such, as its WebGPU adapter is.
    expect(crossFitted).toMatchObject({ complete: true, backend: expect.stringMatching(/^webgl on .*SwiftShader.* \(software\)$/) });
    expect(crossFitted.boxes).toHaveLength(onGpu.boxes.length);
    const fold = (await readJsonFile(runPaths(projectPaths(project).run(`${id}-fold1of2`)).config)) as RunConfig;
    expect(fold.backend).toMatchObject({ name: 'webgl', requested: 'webgl' });
    await page.keyboard.press('Alt+3');
  }, 600_000);

  it('passes over the software adapter with auto, and says so in the run', async () => {
    await page.locator('[data-test=train-backend]').selectOption('auto');
    // Said before the run: wasm, with the software adapters passed over in the note's tooltip.
    const note = page.locator('[data-test=auto-backend]');
    await expect.poll(() => note.textContent()).toBe('auto will use wasm (@tensorflow/tfjs-backend-wasm)');
    expect(await note.getAttribute('title')).toMatch(
      /^tensorflow-gpu: .*\nwebgpu: only a software adapter .*\ntensorflow: .*\nwebgl: only a software adapter/s,
    );
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

  it('cancels a webgpu run at once, and the page, saying what it does, stays connected for the next', async () => {
    const status = compute.locator('#status');
    expect(await status.textContent()).toBe('Connected to Maskbench; idle.');
    const before = await runs();
    await startRun(500);
    await trainingBatches();
    const id = (await runs()).find((run) => !before.includes(run))!;
    await expect.poll(() => status.textContent()).toMatch(new RegExp(`^Training run ${id} on webgpu \\(.*\\(software\\)\\)$`));
    await page.locator('[data-test=train-cancel]').click();
    // Without waiting for the batch the GPU is on.
    await page.getByText('was cancelled').waitFor({ timeout: 5_000 });
    await expect.poll(async () => (await summaryOf(id).catch(() => null))?.status, { timeout: 30_000 }).toBe('cancelled');
    // The page stops after that batch and is free again; the next test's run trains on it.
    await expect.poll(() => status.textContent(), { timeout: 120_000 }).toBe('Connected to Maskbench; idle.');
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
    const refusal = page.getByText(/runs in Maskbench's compute page, and none is open/);
    await refusal.waitFor({ timeout: 30_000 });
    // The address it gives opens a compute page in the window's browser, and the next run trains there.
    const address = /open (http:\S+) in the browser that shows Maskbench/.exec((await refusal.textContent())!)![1]!;
    expect(await webgpuOffered()).toBe('webgpu (GPU) (no compute page open)');
    compute = await page.context().newPage();
    await compute.goto(address);
    // The window sees the page come, with no reload, and the same settings train there.
    await webgpuOnPage();
    await startRun(1);
    await page.getByText(/Training simple-conv on [\w-]+ \(webgpu\) finished/).waitFor({ timeout: 180_000 });
  }, 300_000);

  it('connects again by itself when its link is lost while the server still takes its token', async () => {
    // The page's socket, through the test: closing both its sides is the link lost, with the server still up.
    /** Each link the page opens: its page side, and its server side. */
    const links: Array<{ page: WebSocketRoute; server: WebSocketRoute }> = [];
    await compute.routeWebSocket(
      (url) => url.pathname === COMPUTE_PATH,
      (link) => void links.push({ page: link, server: link.connectToServer() }),
    );
    await compute.reload();
    const status = compute.locator('#status');
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toBe('Connected to Maskbench; idle.');
    await webgpuOnPage();
    expect(links).toHaveLength(1);
    // Every line the page shows from here, however briefly.
    await status.evaluate((line) => {
      const seen: string[] = [];
      (window as unknown as { statusLines: string[] }).statusLines = seen;
      new MutationObserver(() => seen.push(line.textContent ?? '')).observe(line, { childList: true, characterData: true, subtree: true });
    });
    await links[0]!.server.close();
    await links[0]!.page.close({ code: 1001, reason: 'cut by the test' });
    await expect.poll(() => links.length, { timeout: 30_000 }).toBe(2);
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toBe('Connected to Maskbench; idle.');
    expect(await compute.evaluate(() => (window as unknown as { statusLines: string[] }).statusLines)).toEqual([
      expect.stringMatching(/^Lost the link to Maskbench \(.+\); trying again in 1 s\.$/),
      'Connecting to Maskbench…',
      'Connected to Maskbench; idle.',
    ]);
    // Core takes it as a compute page again: the window offers webgpu on it.
    await expect.poll(webgpuOffered, { timeout: 30_000 }).toBe('webgpu (GPU)');
  }, 120_000);
});
