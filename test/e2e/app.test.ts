// The app in real Chromium against `maskbench serve`: the same core and bridge the desktop app uses.

import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { BIN, ROOT, assertBuilt, serve, type ServeProcess } from '../support/built-app';
import { launchChromium } from '../support/chromium';
import { useTempDirs } from '../support/temp-dir';

const RESULTS = join(ROOT, 'test-results');

describe('the app in Chromium (browser mode)', () => {
  const tempDir = useTempDirs();
  let server: ServeProcess;
  let browser: BrowserContext;
  let page: Page;
  let dataDir: string;
  let startFolder: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assertBuilt();
    await mkdir(join(RESULTS, 'screenshots'), { recursive: true });
    dataDir = await realpath(await mkdtemp(join(tmpdir(), 'maskbench-e2e-')));
    startFolder = await realpath(await mkdtemp(join(tmpdir(), 'maskbench-e2e-project-')));
    server = await serve(['--project', startFolder], dataDir);
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && pageErrors.push(`${message.text()} (${message.location().url})`));
    await page.goto(server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    for (const folder of [dataDir, startFolder]) if (folder) await rm(folder, { recursive: true, force: true });
  });

  /** Saves a screenshot of the page under test-results/ when the current test fails. */
  function screenshotOnFailure(name: string): void {
    onTestFailed(async () => {
      await page.screenshot({ path: join(RESULTS, `failed-${name}.png`) });
    });
  }

  const shot = (name: string) => page.screenshot({ path: join(RESULTS, 'screenshots', `${name}.png`) });

  /**
   * Opens the start folder again. A test that leaves its own project open ends with this: its folders are
   * removed after it, and a video element still loading from them would log a 404 as a page error.
   */
  async function leaveProject(): Promise<void> {
    await page.keyboard.press('Control+o');
    await page.locator('[data-test=project-path]').fill(startFolder);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-test=project-name]').textContent()).toBe(startFolder.split('/').at(-1));
  }

  it('opens the project it was given, and answers API calls', async () => {
    screenshotOnFailure('start');
    await expect(page.title()).resolves.toBe('Maskbench');
    // The name arrives with the first API answer.
    await expect.poll(() => page.locator('[data-test=project-name]').textContent()).toBe(startFolder.split('/').at(-1));
    await page.getByText('This folder has no project.json yet').waitFor();
    await shot('annotate-plain-folder');

    await page.getByRole('button', { name: 'Diagnostics' }).click();
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    await expect(page.locator('[data-test=version]').textContent()).resolves.toBe(version);
    await expect(page.locator('[data-test=host]').textContent()).resolves.toContain('a browser');
    // The worker's four and the compute page's two.
    await expect(page.locator('[data-test=backends] tbody tr').count()).resolves.toBe(6);
    await expect(page.locator('[data-test=backend]').textContent()).resolves.not.toBe('…');
    await shot('diagnostics');
  });

  it('streams a job’s progress to the status bar and stops it on cancel', async () => {
    screenshotOnFailure('job');
    await page.getByRole('button', { name: 'Diagnostics' }).click();
    await page.locator('[data-test=demo-steps]').fill('400');
    await page.locator('[data-test=demo-interval]').fill('25');
    await page.locator('[data-test=start-demo]').click();

    const progress = page.locator('[data-test=job] [data-test=job-progress]');
    await expect.poll(() => progress.textContent(), { timeout: 10_000 }).toMatch(/^Step ([3-9]|\d\d+) of 400 · \d+%$/);
    const early = await progress.textContent();
    await expect.poll(() => progress.textContent(), { timeout: 10_000 }).not.toBe(early);
    await shot('job-running');

    await page.locator('[data-test=job-cancel]').click();
    await page.locator('[data-test=job-history] [data-test=job-state]', { hasText: 'cancelled' }).waitFor();
    await page.getByText('was cancelled').waitFor();
    await expect(page.locator('[data-test=job]').count()).resolves.toBe(0);
    const stoppedAt = await page.locator('[data-test=job-history-progress]').first().textContent();
    expect(stoppedAt).toMatch(/^stopped at: Step \d+ of 400 · \d+%$/);
    expect(Number(/Step (\d+)/.exec(stoppedAt!)![1])).toBeLessThan(400);
    // No progress arrives after the cancellation.
    await page.waitForTimeout(500);
    await expect(page.locator('[data-test=job-history-progress]').first().textContent()).resolves.toBe(stoppedAt);
  });

  it('opens a project by path, reports a wrong path in place, and serves its media with Range', async () => {
    screenshotOnFailure('open-project');
    const project = await realpath(await tempDir());
    await writeFile(join(project, 'clip.mp4'), Buffer.from('0123456789'));
    await page.getByRole('button', { name: 'Annotate' }).click();
    await page.keyboard.press('Control+o');
    const dialog = page.locator('[data-test=open-project]');
    await dialog.waitFor();
    await page.locator('[data-test=project-path]').fill(join(project, 'missing'));
    await page.keyboard.press('Enter');
    await expect(page.locator('[data-test=open-error]').textContent()).resolves.toContain(`There is no project folder at ${join(project, 'missing')}`);
    await shot('open-project-error');

    await page.locator('[data-test=project-path]').fill(project);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    const name = project.split('/').at(-1)!;
    await expect(page.locator('[data-test=project-name]').textContent()).resolves.toBe(name);
    await page.locator('[data-test=project-opened]').waitFor();
    await shot('annotate-project-open');

    const media = await page.evaluate(
      async (path) => {
        const response = await fetch(`/media/${encodeURIComponent(path)}`, { headers: { Range: 'bytes=2-4' } });
        return { status: response.status, range: response.headers.get('content-range'), body: await response.text() };
      },
      join(project, 'clip.mp4'),
    );
    expect(media).toEqual({ status: 206, range: 'bytes 2-4/10', body: '234' });
    // Through the context's request API (same cookie), so the refusal is not logged as a page error.
    const outside = await page.request.get(new URL(`/media/${encodeURIComponent('/etc/hostname')}`, server.url).href);
    expect(outside.status()).toBe(403);
    await leaveProject();
  });

  it('lists every shortcut on ?, and closes it with Escape', async () => {
    screenshotOnFailure('help');
    await page.locator('body').press('?');
    const help = page.locator('[data-test=help]');
    await help.waitFor();
    await expect(help.textContent()).resolves.toContain('Open a project folder');
    await shot('help');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
  });

  it('imports annotations from the toolbar into a project without a video, then shows the annotator', async () => {
    screenshotOnFailure('import');
    const sample = join(await tempDir(), 'sample');
    await promisify(execFile)(process.execPath, [BIN, 'sample', sample, '--frames', '30', '--width', '320', '--height', '180']);
    const project = await realpath(await tempDir());
    await copyFile(join(sample, 'media', 'walkway.mp4'), join(project, 'clip.mp4'));
    await page.keyboard.press('Control+o');
    await page.locator('[data-test=project-path]').fill(project);
    await page.keyboard.press('Enter');
    await page.locator('[data-test=overview-import]').click();
    await page.locator('[data-test=import-source]').fill(join(sample, 'annotations', 'voc'));
    await page.locator('[data-test=import-dialog] [data-test=media-path]').fill(join(project, 'clip.mp4'));
    await page.screenshot({ path: join(RESULTS, 'screenshots', 'import-dialog.png') });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.locator('[data-test=annotator]').waitFor({ timeout: 20_000 });
    await expect(page.locator('[data-test=transport]').textContent()).resolves.toContain('/ 29');
    await page.getByText(/Imported \d+ boxes in \d+ tracks/).waitFor();

    // An import with problems shows them, by file and line.
    const broken = join(project, 'broken.xml');
    await writeFile(
      broken,
      '<annotations>\n<image id="0" name="a.jpg" width="320" height="180">\n<box label="MW" xtl="50" ytl="10" xbr="20" ybr="40"/>\n<box label="NM" xtl="5" ytl="10" xbr="20" ybr="40"/>\n</image>\n</annotations>',
    );
    await page.locator('[data-test=import-button]').click();
    await page.locator('[data-test=import-source]').fill(broken);
    await page.locator('[data-test=import-replace]').check();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const report = page.locator('[data-test=import-report]');
    await report.waitFor({ timeout: 20_000 });
    await expect(report.textContent()).resolves.toContain(`${broken}:3`);
    await page.screenshot({ path: join(RESULTS, 'screenshots', 'import-report.png') });
    await page.keyboard.press('Escape');
    await leaveProject();
  });

  it('makes a project around a video kept elsewhere, keeps a failed import’s dialog open with what was typed, and relinks a video that moved', async () => {
    screenshotOnFailure('new-project');
    const sample = join(await tempDir(), 'sample');
    await promisify(execFile)(process.execPath, [BIN, 'sample', sample, '--frames', '30', '--width', '320', '--height', '180']);
    const videos = await realpath(await tempDir());
    const video = join(videos, 'campus.mp4');
    await copyFile(join(sample, 'media', 'walkway.mp4'), video);

    await page.locator('[data-test=new-project-button]').click();
    const dialog = page.locator('[data-test=new-project]');
    await dialog.locator('[data-test=media-path]').fill(video);
    // The folder is named after the video, beside it, unless another is typed.
    await expect.poll(() => dialog.locator('[data-test=new-project-folder]').getAttribute('placeholder')).toBe(join(videos, 'campus'));
    await shot('new-project');
    await dialog.locator('[data-test=new-project-create]').click();
    await dialog.waitFor({ state: 'detached' });
    // Open at once in the annotator, empty, ready to draw.
    await page.locator('[data-test=annotator]').waitFor();
    await expect(page.locator('[data-test=project-name]').textContent()).resolves.toBe('campus');
    await expect(page.locator('[data-test=transport]').textContent()).resolves.toContain('/ 29');
    const settings = JSON.parse(await readFile(join(videos, 'campus', 'project.json'), 'utf8'));
    expect(settings.media.path).toBe('../campus.mp4');

    // An import that fails keeps the dialog and what was typed, with the error beside it.
    await page.locator('[data-test=import-button]').click();
    const missing = join(videos, 'no-such.xml');
    await page.locator('[data-test=import-source]').fill(missing);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => page.locator('[data-test=import-error]').textContent(), { timeout: 20_000 }).toContain(missing);
    expect(await page.locator('[data-test=import-source]').inputValue()).toBe(missing);
    // A stray click beside the dialog keeps it, and what was typed; its × closes it.
    await page.mouse.click(5, 400);
    expect(await page.locator('[data-test=import-source]').inputValue()).toBe(missing);
    await page.locator('[data-test=import-dialog] [data-test=dialog-close]').click();
    await page.locator('[data-test=import-dialog]').waitFor({ state: 'detached' });

    // The video moves: the project says where it looked, and is relinked from the window.
    const moved = join(videos, 'archive.mp4');
    await rename(video, moved);
    await page.keyboard.press('Control+o');
    await page.locator('[data-test=project-path]').fill(join(videos, 'campus'));
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-test=missing-media]').textContent()).toContain(`The video is not at ${video}`);
    await page.locator('[data-test=set-media] [data-test=media-path]').fill(moved);
    await page.locator('[data-test=set-media-button]').click();
    await page.locator('[data-test=annotator]').waitFor();
    expect(JSON.parse(await readFile(join(videos, 'campus', 'project.json'), 'utf8')).media.path).toBe('../archive.mp4');
    await leaveProject();
  });

  it('logged no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });

  it('refuses a visitor without the token', async () => {
    await browser.clearCookies();
    const stranger = await browser.newPage();
    const response = await stranger.goto(new URL('/', server.url).href);
    expect(response?.status()).toBe(401);
    await stranger.close();
  });
});
