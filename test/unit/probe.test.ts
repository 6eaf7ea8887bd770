import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ffmpegPath, isNewer } from '../../src/core/media/ffmpeg';
import { numberingGaps, probeMedia } from '../../src/core/media/probe';
import { useTempDirs } from '../support/temp-dir';

describe('probeMedia', () => {
  const tempDir = useTempDirs();

  it('reads a 23.976 fps video’s exact rate (24000/1001), its size and its frame count', async () => {
    const project = await tempDir();
    await promisify(execFile)(ffmpegPath(), [
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x180:rate=24000/1001',
      '-frames:v',
      '48',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      join(project, 'ntsc.mp4'),
    ]);
    const { media } = await probeMedia(project, join(project, 'ntsc.mp4'));
    expect(media).toMatchObject({ kind: 'video', path: 'ntsc.mp4', frameCount: 48, width: 320, height: 180 });
    // Rounded to 23.98, frame 3000 would land a frame off; the exact rate does not.
    expect(media.fps).toBeCloseTo(24000 / 1001, 9);
  });

  it('lists a folder of frames in order, and finds gaps in their numbering', async () => {
    const project = await tempDir();
    await mkdir(join(project, 'frames'));
    for (const name of ['f_10.jpg', 'f_9.jpg', 'f_12.jpg']) {
      await promisify(execFile)(ffmpegPath(), [
        '-loglevel',
        'error',
        '-f',
        'lavfi',
        '-i',
        'color=c=gray:size=64x48',
        '-frames:v',
        '1',
        join(project, 'frames', name),
      ]);
    }
    await writeFile(join(project, 'frames', 'notes.txt'), 'not a frame');
    const { media, frames } = await probeMedia(project, join(project, 'frames'));
    expect(frames?.frameNames).toEqual(['f_9.jpg', 'f_10.jpg', 'f_12.jpg']);
    expect(frames?.frameSizes).toEqual(Array(3).fill({ width: 64, height: 48 }));
    expect(media).toMatchObject({ kind: 'frames', frameCount: 3, width: 64, height: 48 });
    expect(frames?.gaps).toEqual(['f_10.jpg is followed by f_12.jpg']);
    expect(numberingGaps(['a1.png', 'a2.png'])).toEqual([]);
  });

  it('refuses a file that is not a video, naming the field', async () => {
    const project = await tempDir();
    await expect(probeMedia(project, join(project, 'missing.mp4'))).rejects.toMatchObject({ code: 'not-found', where: { field: 'media' } });
    await writeFile(join(project, 'fake.mp4'), 'not a video');
    await expect(probeMedia(project, join(project, 'fake.mp4'))).rejects.toMatchObject({
      message: expect.stringContaining('has no video stream ffmpeg can read'),
    });
  });
});

describe('choosing ffmpeg', () => {
  it.each([
    ['ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024', true],
    ['ffmpeg version n6.0 Copyright', true],
    ['ffmpeg version 4.1.4 Copyright', false],
    ['ffmpeg version 4.2 Copyright', true],
    ['ffmpeg version N-104465-g08a501946f Copyright', false],
  ])('%s is newer than the bundled 4.1: %s', (output, newer) => {
    expect(isNewer(output)).toBe(newer);
  });
});
