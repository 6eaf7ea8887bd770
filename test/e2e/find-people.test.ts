// "Find people" in the annotator (browser mode): on a new project around a clip with no labels, the
// detection job drafts its people, drawn dotted, listed and shown on the timeline; one accepted with a label becomes a labelled
// track (undo takes it back to the draft), and the draft can be discarded.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJsonFile } from '../../src/core/fs/json-file';
import type { PeopleDraft } from '../../src/shared/detect';
import { BIN } from '../support/built-app';
import { makeSample, serveInBrowser, type ServedInBrowser } from '../support/sample-in-browser';

describe('finding people from the annotator (browser mode)', () => {
  let folder: string;
  let project: string;
  let served: ServedInBrowser | undefined;

  beforeAll(async () => {
    const sample = await makeSample(30, 640, 360);
    folder = sample.folder;
    project = join(folder, 'unlabelled');
    await promisify(execFile)(process.execPath, [BIN, 'new', project, '--media', join(sample.project, 'media', 'walkway.mp4')]);
  });

  afterAll(async () => {
    await served?.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('drafts the people of an unlabelled clip, accepts one as a labelled track, undoes it and discards the draft', async () => {
    served = await serveInBrowser(project, folder);
    const { page } = served;
    await page.locator('[data-test=annotator]').waitFor();
    await page.locator('[data-test=find-people]').click();
    const rows = page.locator('[data-test=draft-tracks] li[data-draft]');
    await rows.first().waitFor({ timeout: 120_000 });
    const drafted = await rows.count();
    expect(drafted).toBeGreaterThan(2);
    await expect.poll(() => page.locator('[data-test=all-tracks] li').count()).toBe(0);

    // With no labelled tracks, the timeline's first row is the first draft person's dotted band: the pointer
    // names them, and a click goes to the frame without selecting a track.
    const first = ((await readJsonFile(join(project, 'drafts', 'people.json'))) as PeopleDraft).tracks[0]!;
    const target = Math.round((first.keyframes[0]!.frame + first.keyframes.at(-1)!.frame) / 2);
    const timeline = (await page.locator('[data-test=timeline-tracks]').boundingBox())!;
    const at = { x: timeline.x + 34 + ((target + 0.5) / 30) * (timeline.width - 34), y: timeline.y + 5 };
    await page.mouse.move(at.x, at.y);
    await expect
      .poll(async () => (await page.locator('[data-test=timeline-hover]').textContent())?.trim())
      .toBe(`frame ${target} · draft ${first.id}${first.label ? ` ${first.label}?` : ''}`);
    await page.mouse.click(at.x, at.y);
    await expect.poll(async () => Number(await page.locator('[data-test=frame-number]').textContent())).toBe(target);
    await page.mouse.move(0, 0);

    await rows.first().locator('[data-test=accept-ND]').click();
    await expect.poll(() => page.locator('[data-test=all-tracks] li').count()).toBe(1);
    // The accepted person leaves the draft's list (with any other draft track on the same person).
    await expect.poll(() => rows.count()).toBeLessThan(drafted);
    expect(await page.locator('[data-test=all-tracks] li').first().textContent()).toContain('ND');

    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('[data-test=all-tracks] li').count()).toBe(0);
    await expect.poll(() => rows.count()).toBe(drafted);

    await page.locator('[data-test=discard-draft]').click();
    await page.locator('[data-test=draft-summary]').waitFor({ state: 'detached' });
    expect(existsSync(join(project, 'drafts', 'people.json'))).toBe(false);
  });
});
