// The annotator in Chromium (browser mode), at the sample's default size. Targets: a seek shows the right
// boxes within 100 ms; playback at 25 fps with 20 boxes drawn presents >= 95% of the frames; a project
// with ~22k boxes opens in under 1 s.

import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, bench, describe } from 'vitest';
import type { ProjectAnnotations, Shape } from '../src/shared/annotations';
import { ANNOTATIONS_SCHEMA } from '../src/shared/annotations';
import { annotationsFileText } from '../src/core/project/annotations-file';
import { BIN, assertBuilt, serve } from '../test/support/built-app';
import { launchChromium } from '../test/support/chromium';
import { describeSeeks, seekTimes } from './seek-latency';

assertBuilt();
const run = promisify(execFile);
const folder = await mkdtemp(join(tmpdir(), 'maskbench-bench-player-'));
const figures: string[] = [];
const once = { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 };

/** A copy of `project` whose annotations are 20 people walking across every frame. */
async function twentyPeople(project: string, target: string): Promise<void> {
  await cp(project, target, { recursive: true });
  const tracks = Array.from({ length: 20 }, (_, i) => {
    const shape = (frame: number, x: number): Shape => ({
      frame,
      xtl: x,
      ytl: 200 + i * 20,
      xbr: x + 60,
      ybr: 380 + i * 15,
      label: ['MW', 'NM', 'ND'][i % 3]!,
      occluded: false,
      outside: false,
      zOrder: i,
      attributes: {},
    });
    return { id: i + 1, shapes: [shape(0, 20 + i * 55), shape(1499, 100 + i * 50)] };
  });
  const annotations: ProjectAnnotations = {
    schema: ANNOTATIONS_SCHEMA,
    width: 1280,
    height: 720,
    frameCount: 1500,
    frameNames: Array.from({ length: 1500 }, (_, f) => `frame_${String(f).padStart(6, '0')}.jpg`),
    tracks,
  };
  await writeFile(join(target, 'annotations.json'), annotationsFileText(annotations));
}

async function openAnnotator(project: string) {
  const server = await serve(['--project', project], join(folder, `data-${Math.random().toString(36).slice(2)}`));
  const browser = await launchChromium();
  const page = await browser.newPage();
  const started = performance.now();
  await page.goto(server.url);
  await page.locator('[data-test=in-view] li[data-track]').first().waitFor({ timeout: 30_000 });
  const openMs = performance.now() - started;
  return { server, browser, page, openMs, close: async () => (await browser.close(), await server.stop()) };
}

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
  console.log(`\nAnnotator in Chromium: ${figures.join('; ')}`);
});

describe('the annotator in Chromium', () => {
  bench(
    'seek to 30 random frames (default sample, 1280x720)',
    async () => {
      const project = join(folder, 'default');
      await run(process.execPath, [BIN, 'sample', project]);
      const { page, close } = await openAnnotator(project);
      await page.waitForFunction(() => (document.querySelector('[data-test=video]') as HTMLVideoElement).readyState >= 2);
      const times = await seekTimes(page, 1500, 30);
      figures.push(`seek ${describeSeeks(times)}`);
      await close();
    },
    once,
  );

  bench(
    'play 8 s at 25 fps with 20 boxes drawn',
    async () => {
      const project = join(folder, 'twenty');
      await twentyPeople(join(folder, 'default'), project);
      const { page, close } = await openAnnotator(project);
      await page.waitForFunction(() => (document.querySelector('[data-test=video]') as HTMLVideoElement).readyState >= 2);
      const result = await page.evaluate(async () => {
        const video = document.querySelector('[data-test=video]') as HTMLVideoElement;
        let presented = 0;
        const count = () => {
          presented++;
          video.requestVideoFrameCallback(count);
        };
        video.requestVideoFrameCallback(count);
        (document.querySelector('[data-test=play]') as HTMLButtonElement).click();
        const start = performance.now();
        await new Promise((resolve) => setTimeout(resolve, 8000));
        const seconds = (performance.now() - start) / 1000;
        video.pause();
        return { presented, expected: seconds * 25, boxes: document.querySelectorAll('[data-test=in-view] li[data-track]').length };
      });
      figures.push(
        `playback ${result.presented}/${Math.round(result.expected)} frames presented (${((100 * result.presented) / result.expected).toFixed(1)}%) with ${result.boxes} boxes drawn`,
      );
      await close();
    },
    once,
  );

  bench(
    'open a project with the study’s size (4,357 frames)',
    async () => {
      const project = join(folder, 'study');
      await run(process.execPath, [BIN, 'sample', project, '--frames', '4357', '--width', '640', '--height', '360'], { maxBuffer: 1 << 24 });
      const boxes = JSON.parse(
        (await run(process.execPath, ['-e', `console.log(JSON.stringify(require(${JSON.stringify(join(project, 'sample.json'))}).boxes))`])).stdout,
      );
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const { openMs, close } = await openAnnotator(project);
        times.push(openMs);
        await close();
      }
      figures.push(`a ${boxes}-box project opens with its boxes drawn in ${Math.min(...times).toFixed(0)} ms (best of 3, page load included)`);
    },
    once,
  );
});
