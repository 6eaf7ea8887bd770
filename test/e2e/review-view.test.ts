// The Review view in Chromium against the real core: a run's model beside the labels on the video and the
// timeline, keys that jump to disagreements, the review queue decided by key (undone like any edit), the
// heat map of a box, and two runs compared.

import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Locator, Page } from 'playwright-core';
import type { ReviewEntry } from '../../src/shared/review';
import { labelRuns } from '../../src/shared/keyframes';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { BIN, ROOT } from '../support/built-app';
import { makeSample, serveInBrowser, type ServedInBrowser } from '../support/sample-in-browser';
import { viewShots } from '../support/view-shots';
import { readAnnotationsFile } from '../support/annotations-file';

const run = promisify(execFile);
const cli = async (...args: string[]) =>
  JSON.parse((await run(process.execPath, [BIN, ...args, '--json'])).stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;

/** Pixels of this colour on a canvas (exact match, as the timeline draws its marks). */
function pixelsOf(canvas: Locator, [r, g, b]: [number, number, number]): Promise<number> {
  return canvas.evaluate(
    (element: HTMLCanvasElement, colour) => {
      const { data } = element.getContext('2d')!.getImageData(0, 0, element.width, element.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] === colour[0] && data[i + 1] === colour[1] && data[i + 2] === colour[2]) count++;
      return count;
    },
    [r, g, b],
  );
}

/** What a queue entry's row says: its track, frames and labels. */
async function entryAt(row: Locator): Promise<{ track: number; from: number; to: number; annotated: string; suggested: string }> {
  const frames = row.locator('[data-test=entry-frames]');
  return {
    track: Number((await row.locator('[data-test=entry-track]').textContent())!.trim().slice(1)),
    from: Number(await frames.getAttribute('data-from')),
    to: Number(await frames.getAttribute('data-to')),
    annotated: (await row.locator('[data-test=entry-annotated]').textContent())!.trim(),
    suggested: (await row.locator('[data-test=entry-suggested]').textContent())!.trim(),
  };
}

describe('the Review view (browser mode)', () => {
  let folder: string;
  let project: string;
  let served: ServedInBrowser;
  let page: Page;
  let runId: string;
  let otherId: string;
  /** A seek shows its frame once the video has decoded it, slower while a worker loads TensorFlow.js. */
  const SEEK = { timeout: 5000 };
  /** A decision shows once its edit has gone through the core and back: over a second on a busy machine (seen in CI). */
  const EDIT = { timeout: 5000 };
  const frameShown = async () => Number(await page.locator('[data-test=frame-number]').textContent());

  beforeAll(async () => {
    ({ folder, project } = await makeSample(160, 640, 360, '--label-noise', '0.05'));
    // The noisy labels as the project's own: the mistakes a review should find.
    await run(process.execPath, [BIN, 'import', join(project, 'annotations', 'noisy', 'cvat-video.xml'), '--project', project, '--force']);
    await run(process.execPath, [BIN, 'dataset', '--project', project, '--name', 'heads', '--stride', '1', '--gap', '2', '--crop', 'head', '--size', '32']);
    runId = (await cli('train', '--project', project, '--dataset', 'heads', '--model', 'simple-conv', '--epochs', '3', '--batch', '16')).runId as string;
    otherId = (await cli('train', '--project', project, '--dataset', 'heads', '--model', 'lenet5', '--epochs', '1', '--batch', '16')).runId as string;
    served = await serveInBrowser(project, folder);
    page = served.page;
    await page.locator('[data-test=annotator]').waitFor();
    await page.keyboard.press('Alt+5');
  }, 240_000);
  afterAll(async () => {
    await served?.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('predicts with a chosen run as a job, then marks disagreements on the boxes and the timeline, with keys to jump to them', async () => {
    onTestFailed(() => page.screenshot({ path: join(ROOT, 'test-results', 'failed-review-view.png') }).then(() => {}));
    const panel = page.locator('[data-test=review-panel]');
    // Runs are named as the Runs view names them, with their test accuracy, not by their folder's id.
    const choice = await panel.locator(`[data-test=review-run] option[value="${runId}"]`).textContent();
    expect(choice).toMatch(new RegExp(`^simple-conv · \\d\\d-\\d\\d \\d\\d:\\d\\d · ${runId.slice(-4)} · test \\d+\\.\\d%$`));
    await panel.locator('[data-test=review-run]').selectOption(runId);
    // No predictions yet: the queue says what to do, and Predict is the way.
    await panel.locator('[data-test=queue-problem]').waitFor();
    expect(await panel.locator('[data-test=queue-problem]').textContent()).toMatch(/no predictions on the project yet/);
    await panel.locator('[data-test=predict]').click();
    const summary = panel.locator('[data-test=prediction-summary]');
    await summary.waitFor({ timeout: 120_000 });
    expect(await summary.textContent()).toMatch(/^\s*[\d,]+ boxes on (wasm|cpu|tensorflow) · the model disagrees with [\d,]+/);
    // In sample (no cross-fit yet): the queue says it is weaker.
    await panel.locator('[data-test=in-sample]').waitFor();
    const timeline = page.locator('[data-test=timeline]');
    await expect.poll(() => pixelsOf(timeline, [0xff, 0x4f, 0xd8])).toBeGreaterThan(0);
    await page.keyboard.press('Home');
    await expect.poll(frameShown, SEEK).toBe(0);
    await page.keyboard.press('M');
    await expect.poll(frameShown, SEEK).toBeGreaterThan(0);
    const first = await frameShown();
    await page.keyboard.press('M');
    await expect.poll(frameShown, SEEK).toBeGreaterThan(first);
    await page.keyboard.press('Shift+M');
    await expect.poll(frameShown, SEEK).toBe(first);
  }, 180_000);

  it('lists the same entries from the command line, each with its boxes, --top counting entries', async () => {
    const listed = (await cli('review', '--project', project, '--run', runId, '--top', '3')) as { outOfSample: boolean; queue: ReviewEntry[] };
    expect(listed.outOfSample).toBe(false);
    expect(listed.queue).toHaveLength(3);
    for (const entry of listed.queue) {
      expect(entry.boxes.length).toBeGreaterThan(0);
      expect(entry.boxes.every((box) => box.frame >= entry.from && box.frame <= entry.to)).toBe(true);
    }
    const rows = page.locator('[data-test=review-panel] [data-test=review-queue] li');
    await expect.poll(() => rows.count()).toBeGreaterThan(2);
    expect(await Promise.all([0, 1, 2].map((i) => entryAt(rows.nth(i)).then(({ track, from, to }) => `${track}:${from}-${to}`)))).toEqual(
      listed.queue.map((entry) => `${entry.trackId}:${entry.from}-${entry.to}`),
    );
    const printed = (await run(process.execPath, [BIN, 'review', '--project', project, '--run', runId, '--top', '3'])).stdout.trim().split('\n');
    expect(printed[0]).toMatch(/^track\s+frames\s+label\s+model\s+boxes\s+score/);
    expect(printed).toHaveLength(4);
  });

  it('walks the queue by key: each entry selected with its crop and heat map; accept, keep and ND are decisions Ctrl+Z undoes', async () => {
    const panel = page.locator('[data-test=review-panel]');
    const entries = panel.locator('[data-test=review-queue] li');
    await expect.poll(() => entries.count()).toBeGreaterThan(2);
    await page.keyboard.press('J');
    const entry = entries.first();
    await expect.poll(() => entry.getAttribute('class')).toContain('selected');
    const { from, to, annotated } = await entryAt(entry);
    // The entry is shown at the box the model most doubts, within its frames.
    await expect.poll(frameShown, SEEK).toBeGreaterThanOrEqual(from);
    expect(await frameShown()).toBeLessThanOrEqual(to);
    await expect.poll(() => panel.locator('[data-test=annotated-label]').textContent(), SEEK).toBe(annotated);
    // The model's view of the box: the crop it saw, its heat map, one probability per class.
    await panel.locator('[data-test=heat-crop]').waitFor({ timeout: 30_000 });
    expect(await panel.locator('[data-test=probabilities] li').count()).toBe(3);
    await expect.poll(() => panel.locator('[data-test=model-label]').textContent(), SEEK).toMatch(/^(MW|NM|ND)$/);
    // The entry's strip: up to eight of its boxes as the model saw them.
    const boxes = Number(await entry.locator('[data-test=entry-boxes]').textContent());
    await expect.poll(() => panel.locator('[data-test=entry-strip] img').count(), { timeout: 30_000 }).toBe(Math.min(8, boxes));
    // A crop of the strip leads to its frame.
    const last = panel.locator('[data-test=entry-strip] button').last();
    const lastFrame = Number(await last.locator('span').textContent());
    await last.click();
    await expect.poll(frameShown, SEEK).toBe(lastFrame);
    await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'review.png') });
    await viewShots(page, 'review');

    await page.keyboard.press('A');
    await expect.poll(() => entry.getAttribute('data-verdict'), EDIT).toBe('changed');
    // The next entry still to decide is shown at once.
    await expect.poll(() => entries.nth(1).getAttribute('class')).toContain('selected');
    await page.keyboard.press('Control+Z');
    await expect.poll(() => entry.getAttribute('data-verdict'), EDIT).toBe('pending');

    await page.keyboard.press('S');
    await expect.poll(() => entries.nth(1).getAttribute('data-verdict'), EDIT).toBe('kept');
    await expect.poll(() => entries.nth(2).getAttribute('class')).toContain('selected');
    // Ctrl+Z right after a keep takes the keep back, not the edit before it.
    await page.keyboard.press('Control+Z');
    await expect.poll(() => entries.nth(1).getAttribute('data-verdict'), EDIT).toBe('pending');
    await expect.poll(() => entry.getAttribute('data-verdict'), EDIT).toBe('pending');
    // Shift+J goes back through the entries still to decide: the second, then the first, its label restored.
    await page.keyboard.press('Shift+J');
    await expect.poll(() => entries.nth(1).getAttribute('class')).toContain('selected');
    await page.keyboard.press('Shift+J');
    await expect.poll(() => entry.getAttribute('class')).toContain('selected');
    await expect.poll(() => panel.locator('[data-test=annotated-label]').textContent(), SEEK).toBe(annotated);
    // ND, on an entry not labelled ND already.
    const notNd = await entries.evaluateAll((rows) =>
      rows.findIndex(
        (row, i) => i > 0 && row.getAttribute('data-verdict') === 'pending' && row.querySelector('[data-test=entry-annotated]')?.textContent?.trim() !== 'ND',
      ),
    );
    expect(notNd).toBeGreaterThan(0);
    await entries.nth(notNd).click();
    await page.keyboard.press('X');
    await expect.poll(() => entries.nth(notNd).getAttribute('data-verdict'), EDIT).toBe('changed');
    await entries.nth(notNd).click();
    await expect.poll(() => panel.locator('[data-test=annotated-label]').textContent(), SEEK).toBe('ND');
    await page.keyboard.press('Control+Z');
    await expect.poll(() => entries.nth(notNd).getAttribute('data-verdict'), EDIT).toBe('pending');
  }, 120_000);

  it('relabels the whole stretch of a track that carries the label in one step, and undoes it in one', async () => {
    const panel = page.locator('[data-test=review-panel]');
    const entry = panel.locator('[data-test=review-queue] li').first();
    await entry.click();
    const { from: frame, track, annotated, suggested } = await entryAt(entry);
    const stretchLabelled = async (label: string) => {
      const saved = await readAnnotationsFile(join(project, 'annotations.json'));
      const runs = labelRuns(
        saved.tracks.find((candidate) => candidate.id === track)!,
        saved.frameCount,
      );
      return runs.find((run) => run.from <= frame && frame <= run.to && run.label === label) ?? null;
    };
    await expect.poll(() => stretchLabelled(annotated)).not.toBeNull();
    const stretch = (await stretchLabelled(annotated))!;
    await page.keyboard.press('Shift+A');
    await expect.poll(() => entry.getAttribute('data-verdict'), EDIT).toBe('changed');
    // Saved within a second: the whole stretch now carries the model's label (joined to any neighbours that had it already).
    await expect
      .poll(
        async () => {
          const now = await stretchLabelled(suggested);
          return now !== null && now.from <= stretch.from && now.to >= stretch.to;
        },
        { timeout: 5000 },
      )
      .toBe(true);
    await page.keyboard.press('Control+Z');
    await expect.poll(() => stretchLabelled(annotated), { timeout: 5000 }).toMatchObject({ from: stretch.from, to: stretch.to });
  });

  it('compares two runs (predicting with the second from the panel): where they differ is marked on the timeline, and B jumps there', async () => {
    const panel = page.locator('[data-test=review-panel]');
    await panel.locator('[data-test=review-compare]').selectOption(otherId);
    // The second run has not predicted yet: the panel says so and offers to.
    await panel.locator('[data-test=predict-compare]').click();
    await panel.locator('[data-test=compare-missing]').waitFor({ state: 'detached', timeout: 60_000 });
    const timeline = page.locator('[data-test=timeline]');
    await expect.poll(() => pixelsOf(timeline, [0x4f, 0xd8, 0xff])).toBeGreaterThan(0);
    await page.keyboard.press('Home');
    await expect.poll(frameShown, SEEK).toBe(0);
    await page.keyboard.press('B');
    await expect.poll(frameShown, SEEK).toBeGreaterThan(0);
    await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'review-compare.png') });
  });
});
