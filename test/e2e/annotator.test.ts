// The annotator's view in Chromium, on a small sample project served in browser mode: stepping,
// relabelling by key, moving and resizing on the canvas, undo and redo, and edits that survive a reload.

import { execFile } from 'node:child_process';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed, onTestFinished } from 'vitest';
import type { ProjectAnnotations } from '../../src/shared/annotations';
import { boxAt, labelRuns } from '../../src/shared/keyframes';
import { BIN, ROOT } from '../support/built-app';
import { makeSample, openSampleInBrowser, serveInBrowser, type SampleInBrowser } from '../support/sample-in-browser';
import { viewShots } from '../support/view-shots';
import { readAnnotationsFile } from '../support/annotations-file';

const SHOTS = join(ROOT, 'test-results', 'screenshots');

describe('the annotator (browser mode)', () => {
  let session: SampleInBrowser;
  let folder: string;
  let project: string;
  let page: Page;

  beforeAll(async () => {
    session = await openSampleInBrowser(160, 640, 360);
    ({ folder, project, page } = session);
    // The first frame is on screen once the video has presented it.
    await page.waitForFunction(() => ((document.querySelector('[data-test=video]') as HTMLVideoElement | null)?.readyState ?? 0) >= 2);
  });

  afterAll(() => session?.close());

  const frameShown = async () => Number(await page.locator('[data-test=frame-number]').textContent());
  const saved = async () => readAnnotationsFile(join(project, 'annotations.json'));
  /** The boxes of a frame as the annotations file has them: "label #id", in drawing order. */
  const fileBoxes = (annotations: ProjectAnnotations, frame: number) =>
    annotations.tracks
      .map((track) => ({ id: track.id, box: boxAt(track, frame) }))
      .filter((entry) => entry.box)
      .sort((a, b) => a.box!.zOrder - b.box!.zOrder || a.id - b.id)
      .map((entry) => `${entry.box!.label} #${entry.id}`);
  const listed = () =>
    page
      .locator('[data-test=in-view] li[data-track]')
      .evaluateAll((items) => items.map((item) => `${item.querySelector('[data-test=label]')!.textContent} #${item.getAttribute('data-track')}`));
  /** The saved file, once `check` holds for it (the autosave writes within a second). */
  async function savedWhen(check: (annotations: ProjectAnnotations) => boolean): Promise<ProjectAnnotations> {
    await expect.poll(async () => check(await saved()), { timeout: 5000 }).toBe(true);
    await expect.poll(() => page.locator('[data-test=save-state]').textContent()).toBe('Saved');
    return saved();
  }
  const trackIn = (annotations: ProjectAnnotations, id: number) => annotations.tracks.find((track) => track.id === id)!;

  async function goTo(frame: number): Promise<void> {
    await page.keyboard.press('Control+g');
    await page.locator('[data-test=go-to]').fill(String(frame));
    await page.keyboard.press('Enter');
    await expect.poll(frameShown).toBe(frame);
  }

  /** The screen point of a video pixel. */
  async function screenPoint(x: number, y: number): Promise<{ x: number; y: number }> {
    const rect = (await page.locator('[data-test=video]').boundingBox())!;
    return { x: rect.x + (x / 640) * rect.width, y: rect.y + (y / 360) * rect.height };
  }

  it('steps frame by frame with no frame skipped or shown twice, and lists each frame’s boxes as the file has them', async () => {
    onTestFailed(() => page.screenshot({ path: join(ROOT, 'test-results', 'failed-annotator-step.png') }).then(() => {}));
    const annotations = await saved();
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('f');
      await expect.poll(frameShown).toBe(i + 1);
      seen.push(await frameShown());
      expect(await listed()).toEqual(fileBoxes(annotations, i + 1));
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // Keys pressed faster than frames arrive still all count.
    for (let i = 0; i < 3; i++) await page.keyboard.press('v');
    await expect.poll(frameShown).toBe(42);
    await page.keyboard.press('c');
    await expect.poll(frameShown).toBe(32);
    await goTo(117);
    expect(await listed()).toEqual(fileBoxes(annotations, 117));
    // The boxes drawn on the canvas are where the file puts them: each one's left edge is in its label's colour.
    const colours: Record<string, [number, number, number]> = { MW: [63, 185, 80], NM: [255, 112, 67], ND: [127, 156, 192] };
    const edges = annotations.tracks
      .map((track) => boxAt(track, 117))
      .filter((box): box is NonNullable<typeof box> => box !== null && box.ybr - box.ytl > 30 && !box.occluded)
      .map((box) => ({ label: box.label, x: box.xtl, y: (box.ytl + box.ybr) / 2 }));
    expect(edges.length).toBeGreaterThan(0);
    const drawn = await page.locator('[data-test=overlay]').evaluate((canvas: HTMLCanvasElement, points) => {
      const context = canvas.getContext('2d')!;
      const frame = document.querySelector('[data-test=video]')!.getBoundingClientRect();
      const stage = canvas.getBoundingClientRect();
      const ratio = canvas.width / stage.width;
      return points.map(({ x, y }) => {
        const px = (frame.left - stage.left + (x / 640) * frame.width) * ratio;
        const py = (frame.top - stage.top + (y / 360) * frame.height) * ratio;
        return [...context.getImageData(Math.round(px), Math.round(py), 1, 1).data.slice(0, 3)];
      });
    }, edges);
    drawn.forEach((pixel, i) => {
      const expected = colours[edges[i]!.label]!;
      expect(
        pixel.every((value, channel) => Math.abs(value - expected[channel]!) < 40),
        `${edges[i]!.label} edge at ${edges[i]!.x}`,
      ).toBe(true);
    });
    await page.screenshot({ path: join(SHOTS, 'annotator.png') });
    await viewShots(page, 'annotator');
  });

  it('relabels the selected box with its key, and the track over a marked range with Shift', async () => {
    await goTo(60);
    await page.keyboard.press('Tab');
    const selected = Number(await page.locator('[data-test=in-view] li.selected').getAttribute('data-track'));
    const before = await saved();
    const track = before.tracks.find((candidate) => candidate.id === selected)!;
    const label = boxAt(track, 60)!.label;
    const [key, other] = label === 'NM' ? ['1', 'MW'] : ['2', 'NM'];
    await page.keyboard.press(key!);
    const after = trackIn(await savedWhen((file) => boxAt(trackIn(file, selected), 60)?.label === other), selected);
    expect([boxAt(after, 59)?.label, boxAt(after, 60)?.label, boxAt(after, 61)?.label]).toEqual([boxAt(track, 59)?.label, other, boxAt(track, 61)?.label]);

    await page.keyboard.press('[');
    await goTo(64);
    await page.keyboard.press(']');
    await expect(page.locator('[data-test=range]').textContent()).resolves.toBe('range 60–64');
    await page.keyboard.press('Shift+3');
    const ranged = trackIn(await savedWhen((file) => boxAt(trackIn(file, selected), 62)?.label === 'ND'), selected);
    expect([60, 61, 62, 63, 64].map((frame) => boxAt(ranged, frame)?.label)).toEqual(['ND', 'ND', 'ND', 'ND', 'ND']);
    expect(boxAt(ranged, 65)?.label).toBe(boxAt(track, 65)?.label);
  });

  it('moves and resizes a box on the canvas, snapping to the frame’s edge', async () => {
    onTestFailed(() => page.screenshot({ path: join(ROOT, 'test-results', 'failed-annotator-move.png') }).then(() => {}));
    await goTo(90);
    const annotations = await saved();
    const [target] = annotations.tracks
      .map((track) => ({ id: track.id, box: boxAt(track, 90) }))
      .filter((entry) => entry.box && entry.box.xbr - entry.box.xtl > 12)
      .sort((a, b) => b.box!.ybr - a.box!.ybr);
    const box = target!.box!;
    const center = await screenPoint((box.xtl + box.xbr) / 2, (box.ytl + box.ybr) / 2);
    await page.mouse.move(center.x, center.y);
    await page.mouse.down();
    await page.mouse.move(center.x + 20, center.y + 10, { steps: 5 });
    await page.mouse.up();
    const moved = boxAt(trackIn(await savedWhen((file) => boxAt(trackIn(file, target!.id), 90)!.xtl !== box.xtl), target!.id), 90)!;
    const rect = (await page.locator('[data-test=video]').boundingBox())!;
    const pixel = 640 / rect.width;
    expect(moved.xtl - box.xtl).toBeCloseTo(20 * pixel, 0);
    expect(moved.ytl - box.ytl).toBeCloseTo(10 * pixel, 0);
    expect(moved.xbr - moved.xtl).toBeCloseTo(box.xbr - box.xtl, 1);

    // Drag the bottom-right handle past the frame's right edge: the box stops at the edge.
    // Just inside the corner: a box on the frame's bottom edge has its handle's lower half off the stage.
    const corner = await screenPoint(moved.xbr - 1, moved.ybr - 1);
    await page.mouse.move(corner.x, corner.y);
    await page.mouse.down();
    const beyond = await screenPoint(700, moved.ybr + 5);
    await page.mouse.move(beyond.x, beyond.y, { steps: 5 });
    await page.mouse.up();
    const resized = boxAt(trackIn(await savedWhen((file) => boxAt(trackIn(file, target!.id), 90)!.xbr === 640), target!.id), 90)!;
    expect(resized.xbr).toBe(640);
    expect(resized.xtl).toBeCloseTo(moved.xtl, 1);
    await page.screenshot({ path: join(SHOTS, 'annotator-edited.png') });
  });

  it('undoes and redoes edits, by key or button, saying what, and keeps them across a reload', async () => {
    await goTo(90);
    const edited = await saved();
    await page.keyboard.press('Control+z');
    const undone = await savedWhen((file) => JSON.stringify(file) !== JSON.stringify(edited));
    expect(undone.tracks.length).toBe(edited.tracks.length);
    // The last edit was the resize on frame 90: the note and the Redo button name it.
    await expect.poll(() => page.locator('[data-test=notice]').last().textContent()).toMatch(/Undone: move track \d+'s box on frame 90/);
    const redo = page.locator('[data-test=redo]');
    expect(await redo.getAttribute('title')).toMatch(/^Redo: move track \d+'s box on frame 90/);
    await redo.click();
    expect(await savedWhen((file) => JSON.stringify(file) === JSON.stringify(edited))).toEqual(edited);
    await expect.poll(() => page.locator('[data-test=notice]').last().textContent()).toMatch(/Redone: move track/);
    expect(await redo.isDisabled()).toBe(true);
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+Shift+z');
    expect(await savedWhen((file) => JSON.stringify(file) === JSON.stringify(edited))).toEqual(edited);

    await page.reload();
    await page.locator('[data-test=annotator]').waitFor();
    await goTo(62);
    expect(await listed()).toEqual(fileBoxes(edited, 62));
    expect((await listed()).some((entry) => entry.startsWith('ND'))).toBe(true);
  });

  it('draws a new box with N, asks its label and span before adding it, and deletes it with Delete', async () => {
    await goTo(20);
    const before = (await saved()).tracks.length;
    const { fps } = (JSON.parse(await readFile(join(project, 'project.json'), 'utf8')) as { media: { fps: number } }).media;
    async function draw(): Promise<void> {
      await page.keyboard.press('n');
      const from = await screenPoint(20, 200);
      const to = await screenPoint(60, 330);
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(to.x, to.y, { steps: 4 });
      await page.mouse.up();
      await page.locator('[data-test=new-box-prompt]').waitFor();
    }
    const prompt = page.locator('[data-test=new-box-prompt]');
    // Nothing is added before a label is chosen; Escape drops the box.
    await draw();
    await expect.poll(() => prompt.textContent()).toContain(`frames 20-${20 + Math.round(fps) - 1}`);
    await page.keyboard.press('Escape');
    await prompt.waitFor({ state: 'detached' });
    expect((await saved()).tracks.length).toBe(before);

    // Its key labels it; it lasts a second of video, not to the end of the clip.
    await draw();
    await page.keyboard.press('2');
    const first = (await savedWhen((file) => file.tracks.length === before + 1)).tracks.at(-1)!;
    const last = 20 + Math.round(fps) - 1;
    expect([
      boxAt(first, 20)?.label,
      Math.round(boxAt(first, 20)!.xtl),
      Math.round(boxAt(first, 20)!.ytl),
      !!boxAt(first, last),
      boxAt(first, last + 1),
    ]).toEqual(['NM', 20, 200, true, null]);
    await page
      .locator('[data-test=notice]')
      .filter({ hasText: `New track ${first.id}: NM, frames 20-${last}` })
      .waitFor();
    await page.keyboard.press('Delete');
    await savedWhen((file) => file.tracks.length === before);

    // The span typed is the span given, and the next new box keeps it.
    await draw();
    await prompt.locator('[data-test=new-box-span]').fill('10');
    await prompt.locator('[data-test=new-box-ND]').click();
    const second = (await savedWhen((file) => file.tracks.length === before + 1)).tracks.at(-1)!;
    expect([boxAt(second, 29)?.label, boxAt(second, 30)]).toEqual(['ND', null]);
    await page.keyboard.press('Delete');
    await savedWhen((file) => file.tracks.length === before);
    await draw();
    expect(await prompt.locator('[data-test=new-box-span]').inputValue()).toBe('10');
    await page.keyboard.press('Escape');
  });

  it('acts by key only on a box on the frame shown; deleting a track says what went, with Undo, and asks first for a long one; a relabel offers the whole track', async () => {
    await goTo(20);
    const file = await saved();
    // A track on frame 20 that has no box on some other frame.
    const shown = (await listed()).map((entry) => Number(entry.split('#')[1]));
    const [id, away] = shown
      .map((candidate) => [candidate, Array.from({ length: 160 }, (_, f) => f).find((f) => !boxAt(trackIn(file, candidate), f))] as const)
      .find(([, frame]) => frame !== undefined)!;
    await page.locator(`[data-test=in-view] li[data-track="${id}"]`).click();
    await goTo(away!);
    await page.locator('[data-test=selected-elsewhere]').waitFor();
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('[data-test=notice]').last().textContent()).toContain(`Track ${id} has no box on frame ${away}`);
    await page.keyboard.press('2');
    expect((await saved()).tracks.map((track) => track.id)).toContain(id);
    expect(JSON.stringify(trackIn(await saved(), id))).toBe(JSON.stringify(trackIn(file, id)));

    await goTo(20);
    const boxes = labelRuns(trackIn(file, id), 160).reduce((sum, run) => sum + run.to - run.from + 1, 0);
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.accept();
    });
    await page.keyboard.press('Delete');
    await savedWhen((annotations) => !annotations.tracks.some((track) => track.id === id));
    // Long tracks are deleted only once asked.
    expect(asked).toEqual(boxes > 50 ? [expect.stringContaining(`Delete track ${id}: all its ${boxes} boxes`)] : []);
    const deleted = page.locator('[data-test=notice]').filter({ hasText: `Deleted track ${id}: ${boxes} boxes` });
    // Notices live in the toolbar: none lies over the video, the transport bar or any other control.
    const [notice, toolbar] = await Promise.all([deleted.boundingBox(), page.locator('header.toolbar').boundingBox()]);
    expect(notice!.y >= toolbar!.y && notice!.y + notice!.height <= toolbar!.y + toolbar!.height).toBe(true);
    await deleted.locator('[data-test=notice-action]', { hasText: 'Undo' }).click();
    await savedWhen((annotations) => annotations.tracks.some((track) => track.id === id));

    // A label key relabels this frame only, says so, and offers the whole track.
    await page.locator(`[data-test=in-view] li[data-track="${id}"]`).click();
    const other = boxAt(trackIn(file, id), 20)!.label === 'NM' ? 'MW' : 'NM';
    await page.keyboard.press(other === 'MW' ? '1' : '2');
    const note = page.locator('[data-test=notice]').filter({ hasText: `Track ${id} is ${other} on frame 20 only` });
    await note.locator('[data-test=notice-action]', { hasText: 'Whole track' }).click();
    const relabelled = trackIn(await savedWhen((annotations) => labelRuns(trackIn(annotations, id), 160).every((run) => run.label === other)), id);
    expect(labelRuns(relabelled, 160).reduce((sum, run) => sum + run.to - run.from + 1, 0)).toBe(boxes);
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await savedWhen((annotations) => JSON.stringify(labelRuns(trackIn(annotations, id), 160)) === JSON.stringify(labelRuns(trackIn(file, id), 160)));
  });

  it('lets a key be rebound from the help overlay, keeps it in the data folder, and refuses a key already in use', async () => {
    await goTo(30);
    await page.keyboard.press('?');
    await page.locator('[data-shortcut="frame.next"] button.key').click();
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => JSON.parse(await readFile(join(folder, 'data', 'preferences.json'), 'utf8')).keys).toEqual({ 'frame.next': 'ArrowRight' });
    await expect.poll(() => page.locator('[data-shortcut="frame.next"] kbd').textContent()).toBe('ArrowRight');
    await page.locator('[data-shortcut="frame.previous"] button.key').click();
    await page.keyboard.press('ArrowRight');
    await expect(page.locator('[data-test=rebind-problem]').textContent()).resolves.toContain('ArrowRight already does “Next frame”');
    await page.keyboard.press('Escape');
    await page.keyboard.press('ArrowRight');
    await expect.poll(frameShown).toBe(31);
    await page.keyboard.press('?');
    await page.locator('[data-shortcut="frame.next"]').getByText('reset').click();
    await expect.poll(async () => JSON.parse(await readFile(join(folder, 'data', 'preferences.json'), 'utf8')).keys).toEqual({});
    // The window has the default back once the core has answered.
    await expect.poll(() => page.locator('[data-shortcut="frame.next"] kbd').textContent()).toBe('F');
    await page.keyboard.press('Escape');
    await page.keyboard.press('f');
    await expect.poll(frameShown).toBe(32);
  });

  it('loops playback over a marked range', async () => {
    await goTo(10);
    await page.keyboard.press('[');
    await goTo(20);
    await page.keyboard.press(']');
    await page.keyboard.press('\\');
    await goTo(10);
    await page.keyboard.press('Space');
    await page.waitForTimeout(1500);
    const frames: number[] = [];
    for (let i = 0; i < 10; i++) {
      frames.push(await frameShown());
      await page.waitForTimeout(50);
    }
    await page.keyboard.press('Space');
    expect(frames.every((frame) => frame >= 10 && frame <= 21)).toBe(true);
    expect(new Set(frames).size).toBeGreaterThan(1);
  });

  it('zooms around the cursor, keeping the point under it in place, and Escape stops drawing', async () => {
    const cursor = await screenPoint(480, 120);
    const videoPointUnder = async () => {
      const rect = (await page.locator('[data-test=video]').boundingBox())!;
      return { x: ((cursor.x - rect.x) / rect.width) * 640, y: ((cursor.y - rect.y) / rect.height) * 360, width: rect.width };
    };
    await page.mouse.move(cursor.x, cursor.y);
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -100);
    const zoomed = await videoPointUnder();
    expect(zoomed.x).toBeCloseTo(480, 0);
    expect(zoomed.y).toBeCloseTo(120, 0);
    const overlay = page.locator('[data-test=overlay]');
    await overlay.dblclick({ position: { x: 5, y: 5 } });
    expect((await videoPointUnder()).width).toBeLessThan(zoomed.width);

    await page.keyboard.press('n');
    await page.locator('[data-test=draw-hint]').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('[data-test=draw-hint]').waitFor({ state: 'detached' });
  });

  it('names the frame and track under the pointer on the timeline, and a click there goes to the frame with the track selected', async () => {
    const file = await saved();
    // The first row is the track with the lowest id; a frame in the middle of its stretch.
    const first = [...file.tracks].sort((a, b) => a.id - b.id)[0]!;
    const frames = Array.from({ length: 160 }, (_, f) => f).filter((f) => boxAt(first, f));
    const target = frames[Math.floor(frames.length / 2)]!;
    const rows = (await page.locator('[data-test=timeline-tracks]').boundingBox())!;
    // Past the 34-pixel gutter of track ids, frames spread over the width.
    const at = { x: rows.x + 34 + ((target + 0.5) / 160) * (rows.width - 34), y: rows.y + 5 };
    await page.mouse.move(at.x, at.y);
    await expect
      .poll(async () => (await page.locator('[data-test=timeline-hover]').textContent())?.trim())
      .toBe(`frame ${target} · #${first.id} ${boxAt(first, target)!.label}`);
    await page.mouse.click(at.x, at.y);
    await expect.poll(frameShown).toBe(target);
    await expect.poll(() => page.locator('[data-test=in-view] li.selected').getAttribute('data-track')).toBe(String(first.id));

    // Scrolled to the bottom, the lowest row in view is the last track's.
    const last = [...file.tracks].sort((a, b) => b.id - a.id)[0]!;
    const lastFrame = Array.from({ length: 160 }, (_, f) => f).find((f) => boxAt(last, f))!;
    await page.locator('[data-test=timeline-tracks]').evaluate((canvas) => canvas.closest('.tracks')!.scrollTo(0, 1e6));
    const scrolled = (await page.locator('[data-test=timeline-tracks]').boundingBox())!;
    await page.mouse.move(scrolled.x + 34 + ((lastFrame + 0.5) / 160) * (scrolled.width - 34), scrolled.y + scrolled.height - 5);
    await expect
      .poll(async () => (await page.locator('[data-test=timeline-hover]').textContent())?.trim())
      .toBe(`frame ${lastFrame} · #${last.id} ${boxAt(last, lastFrame)!.label}`);
    await page.mouse.move(0, 0);
    await page.locator('[data-test=timeline-hover]').waitFor({ state: 'detached' });
  });

  it('says so when a drawn box is too small, and adds nothing', async () => {
    const before = (await saved()).tracks.length;
    await page.keyboard.press('n');
    const at = await screenPoint(100, 100);
    await page.mouse.click(at.x, at.y);
    await page.getByText('A box must be at least 2 pixels wide and high').waitFor();
    expect((await saved()).tracks.length).toBe(before);
  });

  it('lists the annotator’s keys in the help overlay, with the project’s label keys', async () => {
    await page.keyboard.press('?');
    const help = page.locator('[data-test=help]');
    await help.waitFor();
    const text = await help.textContent();
    for (const entry of ['Next frame', 'Label the selected box MW', 'Undo', 'Draw a new box']) expect(text).toContain(entry);
    await page.screenshot({ path: join(SHOTS, 'annotator-help.png') });
    await page.keyboard.press('Escape');
  });
});

describe('the annotator on a folder of frames (browser mode)', () => {
  it('shows each frame’s image with its boxes, and steps through the files', async () => {
    const { folder, project: sample } = await makeSample(30, 320, 180, '--frames-dir');
    onTestFinished(() => rm(folder, { recursive: true, force: true }));
    const project = join(folder, 'stills');
    await cp(join(sample, 'media', 'frames'), join(project, 'frames'), { recursive: true });
    await promisify(execFile)(process.execPath, [BIN, 'import', join(sample, 'annotations', 'voc'), '--project', project, '--media', join(project, 'frames')]);
    const annotations = await readAnnotationsFile(join(project, 'annotations.json'));
    const { page, close } = await serveInBrowser(project, folder);
    onTestFinished(close);
    await page.locator('[data-test=frame-image]').waitFor();
    for (const frame of [1, 2, 3]) {
      await page.keyboard.press('f');
      await expect.poll(async () => Number(await page.locator('[data-test=frame-number]').textContent())).toBe(frame);
      await expect
        .poll(() => page.locator('[data-test=frame-image]').getAttribute('src'))
        .toContain(encodeURIComponent(`frames/frame_${String(frame).padStart(6, '0')}.jpg`));
      const listed = await page
        .locator('[data-test=in-view] li[data-track]')
        .evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-track'))));
      expect(listed.sort()).toEqual(
        annotations.tracks
          .filter((track) => boxAt(track, frame))
          .map((track) => track.id)
          .sort(),
      );
    }
    await page.screenshot({ path: join(SHOTS, 'annotator-frames.png') });
  });
});

describe('a video the browser cannot play', () => {
  it('says what is wrong and what to do, in the annotator', async () => {
    const { folder, project } = await makeSample(10, 320, 180);
    onTestFinished(() => rm(folder, { recursive: true, force: true }));
    await writeFile(join(project, 'media', 'walkway.mp4'), Buffer.from('this is not a video'.repeat(100)));
    const { page, close } = await serveInBrowser(project, folder);
    onTestFinished(close);
    const message = page.locator('[data-test=stage-error]');
    await message.waitFor({ timeout: 15_000 });
    await expect(message.textContent()).resolves.toMatch(/^This window cannot play the video.*: convert it to H\.264 or VP9/);
    await page.screenshot({ path: join(SHOTS, 'annotator-bad-video.png') });
  });
});
