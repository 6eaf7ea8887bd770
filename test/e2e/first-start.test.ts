// A first start on a fresh machine: no project given, no sample yet. The app makes the default sample
// project in a worker, shows its progress, opens it, and plays its video; a second start reuses it.

import { mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_GENERATOR_VERSION } from '../../src/core/sample/generate-sample';
import { ROOT, assertBuilt, serve } from '../support/built-app';
import { launchChromium } from '../support/chromium';

describe('the first start (browser mode)', () => {
  let dataDir: string;
  let browser: BrowserContext;

  beforeAll(async () => {
    assertBuilt();
    dataDir = await realpath(await mkdtemp(join(tmpdir(), 'maskbench-first-start-')));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('generates the sample project with visible progress, then opens it and plays its video', async () => {
    const server = await serve([], dataDir);
    const page = await browser.newPage();
    try {
      await page.goto(server.url);
      await page.locator('[data-test=preparing-sample]').waitFor();
      await expect.poll(() => page.locator('[data-test=preparing-progress]').textContent(), { timeout: 30_000 }).toMatch(/Rendering frame \d+ of 1500/);
      await page.locator('[data-test=job] progress').waitFor();
      await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'first-start-preparing.png') });

      // Meanwhile the user opens a project of their own: the finished sample must not take its place.
      const own = await realpath(await mkdtemp(join(tmpdir(), 'maskbench-own-')));
      await page.keyboard.press('Control+o');
      await page.locator('[data-test=project-path]').fill(own);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('[data-test=project-name]').textContent()).toBe(own.split('/').at(-1));
      await page.getByText('Preparing the sample project finished').waitFor({ timeout: 110_000 });
      await expect(page.locator('[data-test=project-name]').textContent()).resolves.toBe(own.split('/').at(-1));
      await rm(own, { recursive: true });

      // Now made, the sample opens at once, here from the open dialog.
      await page.keyboard.press('Control+o');
      await page.locator('[data-test=open-sample-in-dialog]').click();
      await page.locator('[data-test=annotator]').waitFor();
      await expect.poll(() => page.locator('[data-test=project-name]').textContent()).toBe('Walkway (sample)');

      // The video loads through the media route, and a far seek lands (which needs Range answers).
      const video = page.locator('[data-test=video]');
      await expect.poll(() => video.evaluate((element: HTMLVideoElement) => element.readyState), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
      expect(await video.evaluate((element: HTMLVideoElement) => [element.videoWidth, element.videoHeight, Math.round(element.duration)])).toEqual([
        1280, 720, 60,
      ]);
      await page.keyboard.press('Control+g');
      await page.locator('[data-test=go-to]').fill('1234');
      await page.keyboard.press('Enter');
      await expect.poll(async () => Number(await page.locator('[data-test=frame-number]').textContent()), { timeout: 10_000 }).toBe(1234);
      expect(await page.locator('[data-test=in-view] li').count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'first-start-sample-open.png') });
    } finally {
      await page.close();
      await server.stop();
    }
    expect(await readdir(join(dataDir, 'samples'))).toEqual([`walkway-v${SAMPLE_GENERATOR_VERSION}`]);
    // Rendering 1,500 frames takes half a minute on a quiet machine and more on a busy one; the waits
    // above allow for that, and so must the test.
  }, 180_000);

  it('opens the same sample at once on the next start, without making it again', async () => {
    const server = await serve([], dataDir);
    const page = await browser.newPage();
    try {
      await page.goto(server.url);
      await page.locator('[data-test=annotator]').waitFor({ timeout: 10_000 });
      await expect(page.locator('[data-test=project-name]').textContent()).resolves.toBe('Walkway (sample)');
      await expect(page.locator('[data-test=job]').count()).resolves.toBe(0);
      // The page's socket (held by a worker) reports the server going away.
      await server.stop();
      await page.getByRole('alert').filter({ hasText: 'Disconnected from the Maskbench server' }).waitFor({ timeout: 10_000 });
    } finally {
      await page.close();
      await server.stop();
    }
  });
});
