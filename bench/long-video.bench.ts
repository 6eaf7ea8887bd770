// Long, high-resolution footage in the annotator (Chromium, browser mode, software decoding). For each
// clip: the editing proxy's making time and size, then the seek latency (median and worst of 20 random
// jumps, Ctrl+G to the frame presented) on the proxy and on the original. Target: worst <= 100 ms with
// the proxy on every clip.
//
// Clips are made with ffmpeg's test sources: testsrc2 (busy, moving: bitrates like a crowded scene) for
// the short ones, testsrc (mostly still, as a fixed camera is) for the hour-long one, which keeps it
// small enough to make here.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, bench, describe } from 'vitest';
import { ffmpegPath } from '../src/core/media/ffmpeg';
import { makeEditingProxy } from '../src/core/project/editing-proxy';
import type { ProjectSettings } from '../src/shared/project';
import { BIN, assertBuilt } from '../test/support/built-app';
import { serveInBrowser } from '../test/support/sample-in-browser';
import { describeSeeks, seekTimes } from './seek-latency';

assertBuilt();
const run = promisify(execFile);
const folder = await mkdtemp(join(tmpdir(), 'maskbench-bench-long-video-'));
const figures: string[] = [];
const once = { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 };
const JUMPS = 20;

const CLIPS = [
  { name: '720p, 1,500 frames, keyframes 2 s apart', width: 1280, height: 720, frames: 1500, gop: 50, source: 'testsrc2' },
  { name: '1080p, 6,000 frames (4 min), keyframes 2 s apart', width: 1920, height: 1080, frames: 6000, gop: 50, source: 'testsrc2' },
  { name: '1080p, 90,000 frames (1 hour), keyframes 10 s apart', width: 1920, height: 1080, frames: 90_000, gop: 250, source: 'testsrc' },
  { name: '4K, 1,500 frames (1 min), keyframes 2 s apart', width: 3840, height: 2160, frames: 1500, gop: 50, source: 'testsrc2' },
];

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
  console.log(`\nLong, high-resolution video:\n  ${figures.join('\n  ')}`);
});

describe('seeking in long, high-resolution video', () => {
  for (const [index, clip] of CLIPS.entries()) {
    bench(
      clip.name,
      async () => {
        const video = join(folder, `clip-${index}.mp4`);
        const input = ['-f', 'lavfi', '-i', `${clip.source}=size=${clip.width}x${clip.height}:rate=25`, '-frames:v', String(clip.frames)];
        const output = ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(clip.gop), '-pix_fmt', 'yuv420p', video];
        await run(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-y', ...input, ...output]);
        const project = join(folder, `project-${index}`);
        await run(process.execPath, [BIN, 'new', project, '--media', video]);
        const { media } = JSON.parse(await readFile(join(project, 'project.json'), 'utf8')) as ProjectSettings;
        const proxy = await makeEditingProxy(project, media!, new AbortController().signal, () => {});
        const originalBytes = (await stat(video)).size;

        const served = await serveInBrowser(project, folder);
        try {
          const { page } = served;
          const ready = () => page.waitForFunction(() => ((document.querySelector('[data-test=video]') as HTMLVideoElement | null)?.readyState ?? 0) >= 2);
          await ready();
          const source = page.locator('[data-test=picture-source]');
          if ((await source.textContent())?.trim() !== 'proxy') throw new Error('The annotator does not show the proxy');
          const withProxy = await seekTimes(page, clip.frames, JUMPS);
          await source.click();
          await ready();
          const original = await seekTimes(page, clip.frames, JUMPS);
          figures.push(
            `${clip.name}: proxy made in ${proxy.seconds.toFixed(1)} s (${(clip.frames / proxy.seconds).toFixed(0)} frames/s), ` +
              `${proxy.width}x${proxy.height}, ${(proxy.bytes / 1e6).toFixed(1)} MB (original ${(originalBytes / 1e6).toFixed(1)} MB); ` +
              `seek with proxy ${describeSeeks(withProxy)}; original ${describeSeeks(original)}`,
          );
        } finally {
          await served.close();
          await rm(video, { force: true });
          await rm(project, { recursive: true, force: true });
        }
      },
      once,
    );
  }
});
