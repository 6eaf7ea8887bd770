// A video this window cannot play (HEVC, in Chromium without a platform decoder) gets an editing proxy in
// the background, and the annotator then shows it, frame-exact: the picture at frame n is frame n.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, assertBuilt } from '../support/built-app';
import { NUMBERED, numberFrom, numberPoints, numberedClip } from '../support/numbered-clip';
import { serveInBrowser, type ServedInBrowser } from '../support/sample-in-browser';

describe('the editing proxy in the annotator (browser mode)', () => {
  let folder: string;
  let served: ServedInBrowser | undefined;

  beforeAll(async () => {
    assertBuilt();
    folder = await mkdtemp(join(tmpdir(), 'maskbench-proxy-'));
    const clip = join(folder, 'numbered-hevc.mp4');
    await numberedClip(clip, ['-c:v', 'libx265', '-x265-params', 'log-level=error', '-tag:v', 'hvc1']);
    await promisify(execFile)(process.execPath, [BIN, 'new', join(folder, 'study'), '--media', clip]);
  });

  afterAll(async () => {
    await served?.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('plays the proxy of a video the window cannot decode, at the frame asked for, and says why the original does not play', async () => {
    served = await serveInBrowser(join(folder, 'study'), folder);
    const { page } = served;
    const source = page.locator('[data-test=picture-source]');
    await expect.poll(() => source.textContent(), { timeout: 60_000 }).toMatch('proxy');
    await page.waitForFunction(() => (document.querySelector('[data-test=video]') as HTMLVideoElement).readyState >= 2);
    // Streamed fragment by fragment through MediaSource, not played as a file.
    expect(await page.locator('[data-test=video]').getAttribute('src')).toMatch(/^blob:/);

    /** The index the picture on screen shows, read from the video's pixels. */
    const pictureShows = async () => {
      const values = await page.evaluate(
        ({ points, width, height }) => {
          const canvas = Object.assign(document.createElement('canvas'), { width, height });
          const context = canvas.getContext('2d', { willReadFrequently: true })!;
          context.drawImage(document.querySelector('[data-test=video]') as HTMLVideoElement, 0, 0, width, height);
          return points.map(([x, y]) => context.getImageData(x, y, 1, 1).data[0]!);
        },
        { points: numberPoints(NUMBERED.width, NUMBERED.height), width: NUMBERED.width, height: NUMBERED.height },
      );
      return numberFrom(values);
    };
    const frameNumber = async () => Number(await page.locator('[data-test=frame-number]').textContent());
    /** Goes to `frame` with Ctrl+G, and waits until the frame number says so; the picture then shows it. */
    const goTo = async (frame: number) => {
      await page.keyboard.press('Control+g');
      await page.locator('[data-test=go-to]').fill(String(frame));
      await page.keyboard.press('Enter');
      await expect.poll(frameNumber).toBe(frame);
      expect(await pictureShows()).toBe(frame);
    };
    /** Plays from where the player is, and waits until playback has stopped on the last frame. */
    const playToEnd = async () => {
      await page.locator('[data-test=play]').click();
      await expect.poll(frameNumber, { timeout: 10_000 }).toBe(89);
      await expect.poll(() => page.locator('[data-test=play]').textContent()).toBe('▶');
      expect(await pictureShows()).toBe(89);
    };
    for (const frame of [37, 5, 89, 61, 62]) await goTo(frame);

    // The original is one click away, and this window says it cannot play it, and what to do.
    await source.click();
    const problem = page.locator('[data-test=stage-error]');
    await expect.poll(() => problem.textContent()).toMatch(/cannot play the video.*: switch back to the editing proxy/);
    await source.click();
    await expect.poll(() => problem.count()).toBe(0);
    // The frame number stays 62 throughout; the picture comes back to it once the proxy is streamed again.
    await expect.poll(frameNumber).toBe(62);
    await expect.poll(pictureShows).toBe(62);

    // Playback fetches ahead, and stops at the last frame.
    await playToEnd();

    // Appending a fragment reopens a stream that had ended (here the first, fetched by going to frame 5).
    // Playback must still end at the last frame, not wait before it for more of the video.
    for (const frame of [5, 80]) await goTo(frame);
    await playToEnd();
  });
});
