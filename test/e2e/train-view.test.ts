// The Train view in Chromium against the real core: a run queued from the window trains in a worker,
// streams its figures, and lands in the runs table with its backend; a second is cancelled from the status bar.

import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { ROOT } from '../support/built-app';
import { makeSampleWithHeads, serveInBrowser, type ServedInBrowser } from '../support/sample-in-browser';
import { viewShots } from '../support/view-shots';

describe('the Train view (browser mode)', () => {
  let folder: string;
  let project: string;
  let served: ServedInBrowser;
  let page: Page;

  beforeAll(async () => {
    const sample = await makeSampleWithHeads(160, 640, 360);
    ({ folder, project } = sample);
    served = await serveInBrowser(project, folder);
    page = served.page;
  });
  afterAll(async () => {
    await served?.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('queues a run from the window, shows its figures as it trains, and lists it with the backend it used', async () => {
    onTestFailed(() => page.screenshot({ path: join(ROOT, 'test-results', 'failed-train-view.png') }).then(() => {}));
    await page.keyboard.press('Alt+3');
    await expect.poll(() => page.locator('[data-model=conv-bn] [data-test=model-cost]').textContent()).toBe('90k params · 5.7 MFLOPs');
    await page.locator('[data-model=simple-conv] input').check();
    await page.locator('[data-test=train-epochs]').fill('3');
    await page.locator('[data-test=train-batch]').fill('16');
    // Values between the arrows' steps of 0.05 are still ones the user means.
    await page.locator('[data-test=train-augment-colour]').fill('0.33');
    await page.locator('[data-test=train-augment-flip]').uncheck();
    await page.locator('[data-test=train-start]').click();
    await page.locator('[data-test=train-live-epoch]').waitFor({ timeout: 30_000 });
    await page.locator('[data-test=train-live] [data-test=confusion]').waitFor();
    // The live curves draw from the streamed figures: both charts hold lines by now.
    const liveCharts = page.locator('[data-test=train-live-charts] canvas');
    expect(await liveCharts.count()).toBe(2);
    await expect.poll(() => liveCharts.first().evaluate((canvas: HTMLCanvasElement) => canvas.toDataURL().length)).toBeGreaterThan(5000);
    expect(await page.locator('[data-test=auto-backend]').textContent()).toBe('auto will use wasm (@tensorflow/tfjs-backend-wasm)');
    await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'train-live.png') });
    await page.getByText('Training simple-conv on heads finished').waitFor({ timeout: 60_000 });
    const row = page.locator('[data-test=runs] tbody tr').first();
    await expect.poll(() => row.getAttribute('data-status')).toBe('done');
    expect(await row.locator('[data-test=run-backend]').textContent()).toContain('wasm');
    expect(await row.textContent()).toContain('3/3');
    // The finished run's curves and matrix stay, with the way to it in the Runs view.
    const last = page.locator('[data-test=train-last]');
    await expect.poll(() => last.locator('h3').textContent()).toContain('Training simple-conv on heads · finished');
    expect(await last.locator('[data-test=train-live-charts] canvas').count()).toBe(2);
    await last.locator('[data-test=confusion]').waitFor();
    await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'train.png') });
    await viewShots(page, 'train');
    const runId = await row.getAttribute('data-run');
    const config = JSON.parse(await readFile(join(project, 'runs', runId!, 'config.json'), 'utf8'));
    expect(config.options).toMatchObject({ augmentColour: 0.33, augmentFlip: false, augmentShift: 0.1 });
    await last.locator('[data-test=train-last-open]').click();
    await page.locator('[data-test=run-detail]').waitFor();
    expect(await page.locator('[data-test=runs-table] tr.shown').getAttribute('data-run')).toBe(runId);
    // And a row of the Train view's table opens its run the same way.
    await page.keyboard.press('Alt+3');
    await row.click();
    await expect.poll(() => page.locator('[data-test=runs-table] tr.shown').getAttribute('data-run')).toBe(runId);
    await page.keyboard.press('Alt+3');
  });

  it('cancels a run from the status bar; the table says it was cancelled', async () => {
    await page.locator('[data-test=train-epochs]').fill('500');
    await page.locator('[data-test=train-start]').click();
    await page.locator('[data-test=train-live-epoch]').waitFor({ timeout: 30_000 });
    await page.locator('[data-test=train-cancel]').click();
    await page.getByText('was cancelled').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('[data-test=runs] tbody tr').first().getAttribute('data-status')).toBe('cancelled');
  });

  it('queues a sweep as a group of runs, compared together in the Runs view with the best marked', async () => {
    await page.locator('[data-test=train-epochs]').fill('2');
    await page.locator('[data-test=sweep-lr]').fill('0.003');
    await page.locator('[data-test=sweep-colour]').fill('0.1, 0.4');
    await page.locator('[data-test=sweep-name]').fill('pair');
    expect((await page.locator('[data-test=sweep-start]').textContent())?.trim()).toBe('Queue 2 runs');
    await page.locator('[data-test=sweep-start]').click();
    await page.keyboard.press('Alt+4');
    await expect.poll(() => page.locator('[data-test=runs-group]').inputValue(), { timeout: 10_000 }).toBe('pair');
    const rows = page.locator('[data-test=runs-table] tbody tr');
    await expect.poll(() => page.locator('[data-test=runs-table] tbody tr[data-status=done]').count(), { timeout: 60_000 }).toBe(2);
    expect(await rows.locator('td:nth-child(4)').allTextContents()).toEqual(['pair', 'pair']);
    await page.locator('[data-test=run-compare-view] canvas').waitFor();
    // The runs differ only by the colour jitter the grid varied; the learning rate it set is the same in both.
    const [name, ...values] = await page.locator('[data-test=settings-diff] tr[data-setting=augmentColour] td').allTextContents();
    expect([name, values.sort()]).toEqual(['augment: colour', ['0.1', '0.4']]);
    expect(await page.locator('[data-test=settings-diff] tr[data-setting=learningRate]').count()).toBe(0);
    expect(await page.locator('[data-test=best-run]').count()).toBe(1);
    // Read again once the runs ended: both test matrices are there, not the "running" placeholders.
    await expect.poll(() => page.locator('[data-test=run-compare-view] [data-test=confusion]').count()).toBe(2);
    await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'sweep.png') });
  });
});
