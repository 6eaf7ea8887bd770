// The editing proxy: frame n of the proxy is frame n of the original, for constant and variable frame
// rates and clips that start late; a changed original is noticed; a project whose video needs a proxy
// gets one in the background, and the window is told where it is.

import { execFile } from 'node:child_process';
import { readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { WorkbenchEvent } from '../../src/shared/api';
import { decodeVideoFrames, type RawFrame } from '../../src/core/media/decode-frames';
import { ffmpegPath } from '../../src/core/media/ffmpeg';
import { probeMedia, probeVideoStream } from '../../src/core/media/probe';
import { PROXY_KEYFRAME_INTERVAL, makeEditingProxy, proxyIndex, proxyReasons, proxySize, readyProxy } from '../../src/core/project/editing-proxy';
import { projectPaths } from '../../src/core/project/layout';
import { NUMBERED, numberInRgb, numberedClip } from '../support/numbered-clip';
import { useTempDirs } from '../support/temp-dir';
import { jobEnd, testWorkbench } from '../support/workbench';

const tempDir = useTempDirs();
const { width: WIDTH, height: HEIGHT, frames: FRAMES } = NUMBERED;
const numberShown = (frame: RawFrame) => numberInRgb(frame.rgb, frame.width, frame.height);
async function decodeAll(path: string, width: number, height: number): Promise<RawFrame[]> {
  const frames: RawFrame[] = [];
  await decodeVideoFrames(
    path,
    width,
    height,
    1,
    FRAMES,
    new AbortController().signal,
    async (frame) => void frames.push({ ...frame, rgb: Buffer.from(frame.rgb) }),
  );
  return frames;
}

const meanDifference = (a: Buffer, b: Buffer) => a.reduce((sum, value, i) => sum + Math.abs(value - b[i]!), 0) / a.length;

describe('the editing proxy', () => {
  // Constant rate; a variable rate (frames of 40, 60 and 20 ms in turn) that starts 2.5 s in, in Matroska.
  const inputs = [
    { name: 'constant rate', file: 'constant.mp4', timing: [] },
    { name: 'variable rate, starting late', file: 'variable.mkv', timing: ['-vf', 'setpts=(2.5+N*0.04+if(eq(mod(N\\,3)\\,1)\\,0.02\\,0))/TB', '-vsync', '0'] },
  ];
  for (const { name, file, timing } of inputs) {
    it(`holds the original's frames one for one, by index, at n / fps (${name})`, async () => {
      const folder = await tempDir();
      const original = join(folder, file);
      await numberedClip(original, timing);
      const stream = await probeVideoStream(original);
      expect(stream.frames).toBe(FRAMES);
      if (file.endsWith('.mkv')) {
        expect(stream.variableRate).toBe(true);
        expect(stream.startSeconds).toBeCloseTo(2.5, 1);
      }
      const { media } = await probeMedia(folder, original);
      let reported = 0;
      const manifest = await makeEditingProxy(folder, media, new AbortController().signal, (done) => (reported = done));
      expect(reported).toBeGreaterThan(0);
      const proxy = projectPaths(folder).proxyVideo;
      expect(await readyProxy(folder, media)).toBe(proxy);
      expect(manifest).toMatchObject({ width: WIDTH, height: HEIGHT, source: { frameCount: FRAMES } });

      // The proxy plays at a constant rate from 0, so the window's frame = round(time * fps) holds.
      const made = await probeVideoStream(proxy);
      expect(made).toMatchObject({ frames: FRAMES, variableRate: false, startSeconds: 0, codec: 'h264' });
      expect(made.fps).toBeCloseTo(media.fps, 3);
      expect(made.keyframeGap).toBeLessThanOrEqual(PROXY_KEYFRAME_INTERVAL / media.fps + 1e-6);
      expect(proxyReasons(made)).toEqual([]);

      const [before, after] = [await decodeAll(original, WIDTH, HEIGHT), await decodeAll(proxy, WIDTH, HEIGHT)];
      expect(after.map(numberShown)).toEqual(before.map(numberShown));
      expect(after.map(numberShown)).toEqual(Array.from({ length: FRAMES }, (_, i) => i));
      // Pixels match within the codec's error, frame by frame.
      for (let i = 0; i < FRAMES; i++) expect(meanDifference(before[i]!.rgb, after[i]!.rgb), `frame ${i}`).toBeLessThan(6);

      // The window streams fragments by the index: the header and fragment k alone play frames from k * interval.
      const index = manifest.index;
      expect(index).toMatchObject({ codec: expect.stringMatching(/^avc1\.[0-9a-f]{6}$/), framesPerFragment: PROXY_KEYFRAME_INTERVAL });
      expect(index.fragments).toHaveLength(Math.ceil(FRAMES / PROXY_KEYFRAME_INTERVAL));
      expect(await proxyIndex(folder, media)).toEqual(index);
      const bytes = await readFile(proxy);
      for (const k of [0, 4, index.fragments.length - 1]) {
        const alone = join(folder, `fragment-${k}.mp4`);
        await writeFile(alone, Buffer.concat([bytes.subarray(0, index.header), bytes.subarray(index.fragments[k], index.fragments[k + 1] ?? index.end)]));
        const frames: number[] = [];
        await decodeVideoFrames(
          alone,
          WIDTH,
          HEIGHT,
          1,
          PROXY_KEYFRAME_INTERVAL,
          new AbortController().signal,
          async (frame) => void frames.push(numberShown(frame)),
        );
        expect(frames).toEqual(Array.from({ length: PROXY_KEYFRAME_INTERVAL }, (_, i) => k * PROXY_KEYFRAME_INTERVAL + i));
      }
    });
  }

  it('is no longer used once the original changes, and a cancelled making leaves no file behind', async () => {
    const folder = await tempDir();
    const original = join(folder, 'clip.mp4');
    await numberedClip(original, []);
    const { media } = await probeMedia(folder, original);
    await makeEditingProxy(folder, media, new AbortController().signal, () => {});
    await utimes(original, new Date(), new Date(Date.now() + 5000));
    expect(await readyProxy(folder, media)).toBeNull();

    const cancel = new AbortController();
    const making = makeEditingProxy(folder, media, cancel.signal, () => {});
    cancel.abort();
    await expect(making).rejects.toThrow();
    expect(await readdir(projectPaths(folder).proxy)).toEqual(['editing.mp4', 'proxy.json']);
    expect(await readyProxy(folder, media)).toBeNull();
  });

  it('sizes a rotated video as it is shown, as the decoder and the proxy turn it', async () => {
    const folder = await tempDir();
    const original = join(folder, 'upright.mp4');
    await numberedClip(join(folder, 'landscape.mp4'), []);
    await promisify(execFile)(ffmpegPath(), [
      '-loglevel',
      'error',
      '-i',
      join(folder, 'landscape.mp4'),
      '-c',
      'copy',
      '-metadata:s:v:0',
      'rotate=90',
      original,
    ]);
    const { media } = await probeMedia(folder, original);
    expect([media.width, media.height]).toEqual([HEIGHT, WIDTH]);
    expect(await decodeAll(original, HEIGHT, WIDTH)).toHaveLength(FRAMES);
    await makeEditingProxy(folder, media, new AbortController().signal, () => {});
    expect(await probeVideoStream(projectPaths(folder).proxyVideo)).toMatchObject({ width: HEIGHT, height: WIDTH, frames: FRAMES });
  });

  it('says why a video needs one, and shrinks a large one to fit 1280x720 in even numbers', () => {
    const plain = { width: 1280, height: 720, fps: 25, frames: 1500, codec: 'h264', startSeconds: 0, variableRate: false, keyframeGap: 2 };
    expect(proxyReasons(plain)).toEqual([]);
    expect(proxyReasons({ ...plain, frames: 15_000 })).toEqual([]);
    expect(proxyReasons({ ...plain, codec: 'hevc', width: 3840, height: 2160, keyframeGap: 10, variableRate: true, startSeconds: 3, frames: 90_000 })).toEqual([
      'its codec (hevc) may not play in the window',
      'it is 3840x2160',
      'its keyframes are up to 10.0 s apart',
      'its frame rate varies',
      'it starts at 3.000 s',
      'it lasts 60 minutes',
    ]);
    expect(proxySize(3840, 2160)).toEqual({ width: 1280, height: 720 });
    expect(proxySize(1080, 1920)).toEqual({ width: 406, height: 720 });
    expect(proxySize(640, 360)).toEqual({ width: 640, height: 360 });
  });

  it('is made in the background for a project whose video needs one, and the open project then names it', async () => {
    const root = await tempDir();
    const video = join(root, 'variable.mkv');
    await numberedClip(video, inputs[1]!.timing);
    const workbench = testWorkbench(join(root, 'data'));
    const events: WorkbenchEvent[] = [];
    workbench.onEvent((event) => events.push(event));
    const project = await workbench.createProject({ folder: join(root, 'study'), media: video, keep: 'reference' });
    expect(project.editingProxy).toBeNull();
    const proxyJob = () => events.flatMap((event) => (event.type === 'job-started' && event.job.kind === 'proxy' ? [event.job] : []))[0];
    await expect.poll(proxyJob, { timeout: 20_000 }).toBeDefined();
    // It names its project, so that the window says so only for that project's video.
    expect(proxyJob()!.project).toBe(project.path);
    const end = await jobEnd(events, proxyJob()!.id);
    const proxy = projectPaths(project.path).proxyVideo;
    expect(end).toMatchObject({ type: 'job-done', kind: 'proxy', result: { project: project.path, proxy } });
    expect((await workbench.currentProject())?.editingProxy).toBe(proxy);
    // Opened again, it is used at once and not made again.
    const reopened = await workbench.openProject({ path: project.path });
    expect(reopened.editingProxy).toBe(proxy);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(events.filter((event) => event.type === 'job-started')).toHaveLength(1);
    await workbench.shutdown();
  });
});
