// The Dataset view in Chromium: counts that follow the settings, a plan that cannot work explained,
// and a build whose crops appear in the gallery.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { ROOT } from '../support/built-app';
import { openSampleInBrowser, type SampleInBrowser } from '../support/sample-in-browser';
import { viewShots } from '../support/view-shots';

describe('the Dataset view (browser mode)', () => {
  let session: SampleInBrowser;
  let page: Page;
  let project: string;

  beforeAll(async () => {
    session = await openSampleInBrowser(60, 320, 180);
    ({ page, project } = session);
  });
  afterAll(() => session?.close());

  const totalOf = async (split: string) => Number(await page.locator(`[data-test=plan-counts] tr[data-split=${split}] td`).last().textContent());

  it('counts crops as the settings change, explains a plan that cannot work, and builds a dataset shown in the gallery', async () => {
    onTestFailed(() => page.screenshot({ path: join(ROOT, 'test-results', 'failed-dataset-view.png') }).then(() => {}));
    await page.keyboard.press('Alt+2');
    // The default gap (50 frames) leaves this 60-frame clip's later parts empty: the view says so, and what to change.
    await expect
      .poll(() => page.locator('[data-test=plan-error]').textContent())
      .toContain(
        'The val part would hold no crops: the 50-frame gap before it covers all of its 9 frames (42 to 50); take a smaller "gap between parts" (under 9), a longer clip, or another split',
      );
    await page.locator('label', { hasText: 'Gap between parts' }).locator('input').fill('2');
    await page.locator('[data-test=opt-stride]').fill('5');
    // Each split fraction shows whole ("0.15", not "0.1" cut short).
    const fractions = page.locator('.fractions input');
    expect(await fractions.evaluateAll((inputs: HTMLInputElement[]) => inputs.map((input) => [input.value, input.scrollWidth <= input.clientWidth]))).toEqual([
      ['0.7', true],
      ['0.15', true],
      ['0.15', true],
    ]);
    await expect.poll(() => totalOf('train')).toBeGreaterThan(0);
    const fewer = await totalOf('train');
    await page.locator('[data-test=opt-stride]').fill('2');
    await expect.poll(() => totalOf('train')).toBeGreaterThan(fewer);
    await page.locator('[data-test=opt-classes]').selectOption('MW,NM');
    await expect.poll(() => page.locator('[data-test=plan-counts] th').allTextContents()).toEqual(['part', 'MW', 'NM', 'all']);

    // Until one is typed, the name says what the settings make, and follows them.
    await expect.poll(() => page.locator('[data-test=dataset-name]').inputValue()).toBe('people-every2-64px-2class');
    // Mirrored copies are counted where training will see them.
    await page.locator('label', { hasText: 'add mirrored copies' }).locator('input').check();
    const train = await totalOf('train');
    await expect.poll(() => page.locator('[data-test=plan-copies]').textContent()).toContain(`Training sees ${2 * train} train crops`);
    await expect.poll(() => page.locator('[data-test=dataset-name]').inputValue()).toBe('people-every2-64px-2class-mirrored');
    // Head crops, as wide as the head rather than the box.
    await page.locator('[data-test=opt-crop]').selectOption('head');
    await page.locator('[data-test=opt-head-width]').selectOption('head');
    // A fraction between the arrows' steps of 0.05 is still one the user means (the bench's 0.16).
    await page.locator('[data-test=opt-head-fraction]').fill('0.16');
    await page.locator('[data-test=dataset-name]').fill('small');
    await page.locator('[data-test=build-dataset]').click();
    await page.getByText('Building the dataset small finished').waitFor({ timeout: 30_000 });
    const images = page.locator('[data-test=gallery] img');
    await expect.poll(() => images.count()).toBeGreaterThan(3);
    await expect.poll(() => images.first().evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth)).toBe(64);
    const manifest = JSON.parse(await readFile(join(project, 'datasets', 'small', 'manifest.json'), 'utf8'));
    expect(manifest.options).toMatchObject({ stride: 2, gap: 2, classes: 'MW,NM', flip: true, crop: 'head', headWidth: 'head', headFraction: 0.16 });
    await page.locator('[data-test=gallery] h3', { hasText: `train · ${train} crops, ${2 * train} with their mirrored copies` }).waitFor();
    expect(manifest.counts.train.MW + manifest.counts.train.NM).toBe(await totalOf('train'));
    await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'dataset.png') });
    await viewShots(page, 'dataset');
  });
});
