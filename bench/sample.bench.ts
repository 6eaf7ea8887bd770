// How fast the sample generator renders and encodes, at the default 1280x720: frames per second for
// each stage alone, and the whole default project (target: under 60 s on a 2-core machine).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, bench, describe } from 'vitest';
import { startRawVideoEncoder } from '../src/core/media/ffmpeg';
import { renderBackground } from '../src/core/sample/background';
import { Camera } from '../src/core/sample/camera';
import { createCast } from '../src/core/sample/cast';
import { generateSample } from '../src/core/sample/generate-sample';
import { Prng } from '../src/core/util/prng';
import { SAMPLE_DEFAULTS } from '../src/core/sample/sample-options';
import { FrameRenderer, peopleInFrame } from '../src/core/sample/scene';

const FRAMES = 150;
const { width, height, fps, frames: defaultFrames } = SAMPLE_DEFAULTS;
const camera = new Camera(width, height);
const random = new Prng(SAMPLE_DEFAULTS.seed);
const cast = createCast(camera, defaultFrames, fps, random.fork(1));
const renderer = new FrameRenderer(camera, renderBackground(camera, SAMPLE_DEFAULTS.seed), fps, random.fork(3));
const rendered = Array.from({ length: FRAMES }, (_, frame) => renderer.render(frame + 600, peopleInFrame(camera, cast, frame + 600)));
const folder = await mkdtemp(join(tmpdir(), 'maskbench-bench-sample-'));
const once = { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 };
const seconds: Record<string, number> = {};

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
  console.log(
    `\nSample generator at ${width}x${height}: render ${(FRAMES / seconds.render!).toFixed(0)} frames/s, ` +
      `encode ${(FRAMES / seconds.encode!).toFixed(0)} frames/s, default project (${defaultFrames} frames) ${seconds.generate!.toFixed(1)} s`,
  );
});

async function timed(name: string, work: () => Promise<void> | void): Promise<void> {
  const start = performance.now();
  await work();
  seconds[name] = (performance.now() - start) / 1000;
}

describe(`sample generator, ${width}x${height}`, () => {
  bench(
    `render ${FRAMES} frames`,
    () =>
      timed('render', () => {
        for (let frame = 0; frame < FRAMES; frame++) renderer.render(frame, peopleInFrame(camera, cast, frame));
      }),
    once,
  );

  bench(
    `encode ${FRAMES} frames (H.264, bundled ffmpeg)`,
    () =>
      timed('encode', async () => {
        const encoder = startRawVideoEncoder(width, height, fps, [
          { args: ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-threads', '2', join(folder, 'encode.mp4')] },
        ]);
        for (const frame of rendered) await encoder.write(Buffer.from(frame));
        await encoder.finish();
      }),
    once,
  );

  bench(
    `generate the default project (${defaultFrames} frames)`,
    () =>
      timed('generate', async () => {
        await generateSample(join(folder, 'project'), SAMPLE_DEFAULTS, { signal: new AbortController().signal, progress: () => {}, log: () => {} }, true);
      }),
    once,
  );
});
