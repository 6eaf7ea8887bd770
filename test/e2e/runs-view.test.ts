// The Runs view in Chromium against the real core: a run's curves drawn on canvas and its confusion
// matrix by epoch, runs compared with both curves and the settings that differ, renaming and deleting.

import { execFile } from 'node:child_process';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { BIN, ROOT } from '../support/built-app';
import { makeSample, serveInBrowser, type ServedInBrowser } from '../support/sample-in-browser';
import { viewShots } from '../support/view-shots';

const run = promisify(execFile);

/** How many distinct colours a canvas shows: a drawn chart has axes, grid and lines in several. */
function coloursDrawn(canvas: Locator): Promise<number> {
  return canvas.evaluate((element: HTMLCanvasElement) => {
    const { data } = element.getContext('2d')!.getImageData(0, 0, element.width, element.height);
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 16) if (data[i + 3]! > 0) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return seen.size;
  });
}

describe('the Runs view (browser mode)', () => {
  let folder: string;
  let project: string;
  let served: ServedInBrowser;
  let page: Page;

  beforeAll(async () => {
    ({ folder, project } = await makeSample(160, 640, 360));
    await run(process.execPath, [BIN, 'dataset', '--project', project, '--name', 'heads', '--stride', '1', '--gap', '2', '--crop', 'head', '--size', '32']);
    for (const lr of ['0.01', '0.003'])
      await run(process.execPath, [
        BIN,
        'train',
        '--project',
        project,
        '--dataset',
        'heads',
        '--model',
        'simple-conv',
        '--epochs',
        '3',
        '--batch',
        '16',
        '--lr',
        lr,
      ]);
    served = await serveInBrowser(project, folder);
    page = served.page;
    await page.keyboard.press('Alt+4');
  });
  afterAll(async () => {
    await served?.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('shows a run’s curves and its validation confusion matrix for any epoch', async () => {
    onTestFailed(() => page.screenshot({ path: join(ROOT, 'test-results', 'failed-runs-view.png') }).then(() => {}));
    const rows = page.locator('[data-test=runs-table] tbody tr');
    // The view's first list of runs: on a busy machine (a clean-clone CI) it once took over the default second.
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2);
    await rows.first().click();
    const charts = page.locator('[data-test=run-detail] canvas');
    await expect.poll(() => charts.count()).toBe(2);
    await expect.poll(() => coloursDrawn(charts.first())).toBeGreaterThan(4);
    const caption = page.locator('[data-test=run-detail] [data-test=confusion] caption').first();
    expect(await caption.textContent()).toBe('Validation, epoch 3');
    await page.locator('[data-test=epoch-slider]').fill('1');
    expect(await caption.textContent()).toBe('Validation, epoch 1');
    expect(await page.locator('[data-test=per-class] tbody tr').count()).toBe(3);
    const saved = async (button: string) => {
      const [file] = await Promise.all([page.waitForEvent('download'), page.locator(button).first().click()]);
      return readFile((await file.path())!, 'utf8');
    };
    expect((await saved('[data-test=export-csv]')).trim().split('\n')).toHaveLength(4);
    const report = await saved('[data-test=export-report]');
    expect(report).toMatch(/<img src="data:image\/png;base64,[^"]{500,}"/);
    // The report's charts are for its white page: a white ground and dark text, train and validation in their two colours.
    const inks = await page.evaluate(
      async (source) => {
        const image = new Image();
        image.src = source;
        await image.decode();
        const canvas = Object.assign(document.createElement('canvas'), { width: image.width, height: image.height });
        const context = canvas.getContext('2d')!;
        context.drawImage(image, 0, 0);
        const { data } = context.getImageData(0, 0, image.width, image.height);
        const near = (r: number, g: number, b: number) => {
          for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - r) + Math.abs(data[i + 1]! - g) + Math.abs(data[i + 2]! - b) < 30) return true;
          return false;
        };
        return { corner: [...data.slice(0, 4)], dark: near(0x22, 0x22, 0x22), train: near(0x56, 0xb4, 0xe9), val: near(0xcc, 0x79, 0xa7) };
      },
      /<img src="([^"]+)"/.exec(report)![1]!,
    );
    expect(inks).toEqual({ corner: [255, 255, 255, 255], dark: true, train: true, val: true });
    expect((await saved('[data-test=chart-png]')).length).toBeGreaterThan(1000);
    await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'runs.png') });
    await viewShots(page, 'runs');
  });

  it('compares two runs: both curves, the settings that differ, their test matrices', async () => {
    await page.locator('[data-test=run-compare]').nth(0).check();
    await page.locator('[data-test=run-compare]').nth(1).check();
    const view = page.locator('[data-test=run-compare-view]');
    await view.waitFor();
    await expect.poll(() => coloursDrawn(view.locator('canvas'))).toBeGreaterThan(4);
    expect(await view.locator('[data-test=settings-diff] tr[data-setting=learningRate] td').allTextContents()).toEqual(['learning rate', '0.003', '0.01']);
    expect(await view.locator('[data-test=confusion]').count()).toBe(2);
    await view.locator('[data-test=compare-x]').selectOption('time');
    await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'runs-compare.png') });
    await viewShots(page, 'runs-compare');
  });

  it('leads from a confusion-matrix cell to its crops, and from a crop to the annotator at its frame with its track selected', async () => {
    await page.locator('[data-test=run-compare]:checked').first().uncheck();
    await page.locator('[data-test=run-compare]:checked').first().uncheck();
    await page.locator('[data-test=runs-table] tbody tr').first().click();
    const testMatrix = page.locator('[data-test=run-detail] [data-test=confusion]').last();
    const cell = testMatrix.locator('td.clickable').first();
    const [truth, predicted] = (await cell.getAttribute('data-cell'))!.split('-');
    const count = Number(await cell.evaluate((element) => element.firstChild!.textContent));
    await cell.click();
    const crops = page.locator('[data-test=cell-crop]');
    await expect.poll(() => crops.count()).toBe(Math.min(count, 200));
    expect(await page.locator('[data-test=cell-crops] h3').textContent()).toContain(`true ${truth}, predicted ${predicted} · ${count} crops`);
    await expect
      .poll(() =>
        crops
          .first()
          .locator('img')
          .evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth),
      )
      .toBe(32);
    await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'runs-cell-crops.png') });
    const frame = await crops.first().getAttribute('data-frame');
    await crops.first().click();
    await page.locator('[data-test=annotator]').waitFor();
    await expect.poll(() => page.locator('[data-test=frame-number]').textContent()).toBe(frame);
    await expect.poll(() => page.locator('[data-test=in-view] li.selected').count()).toBe(1);
    await page.keyboard.press('Alt+4');
  });

  it('renames a run, filters by its name, and deletes it to the project’s trash after asking', async () => {
    const first = page.locator('[data-test=runs-table] tbody tr').first();
    const runId = (await first.getAttribute('data-run'))!;
    await first.locator('[data-test=run-name]').dblclick();
    await page.locator('[data-test=run-name-input]').fill('baseline');
    await page.keyboard.press('Enter');
    await expect.poll(() => first.locator('[data-test=run-name]').textContent()).toBe('baseline');
    await page.locator('[data-test=runs-filter]').fill('baseline');
    await expect.poll(() => page.locator('[data-test=runs-table] tbody tr').count()).toBe(1);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator(`[data-run="${runId}"] [data-test=run-delete]`).click();
    await expect.poll(() => page.locator('[data-test=runs-table] tbody tr').count()).toBe(0);
    expect(await readdir(join(project, 'trash', 'runs'))).toEqual([runId]);
  });
});
