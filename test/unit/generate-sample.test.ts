import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobContext } from '../../src/core/jobs/job-runner';
import { generateSample } from '../../src/core/sample/generate-sample';
import { SAMPLE_DEFAULTS, type SampleOptions } from '../../src/core/sample/sample-options';
import { useTempDirs } from '../support/temp-dir';

const TINY: SampleOptions = { ...SAMPLE_DEFAULTS, frames: 30, width: 320, height: 180, labelNoise: 0.1, framesDir: true };

function context(signal = new AbortController().signal): JobContext & { steps: number[] } {
  const steps: number[] = [];
  return { signal, steps, progress: (done) => steps.push(done), log: () => {} };
}

/** Every file below `folder` with its bytes, for comparing two folders exactly. */
async function snapshot(folder: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.set(join(entry.parentPath, entry.name).slice(folder.length), await readFile(join(entry.parentPath, entry.name)));
  }
  return files;
}

describe('generateSample', () => {
  const tempDir = useTempDirs();

  it('gives byte-identical files for the same options, and reports progress to the last frame', async () => {
    const parent = await tempDir();
    const first = context();
    const summary = await generateSample(join(parent, 'a'), TINY, first);
    await generateSample(join(parent, 'b'), TINY, context());
    const [a, b] = [await snapshot(join(parent, 'a')), await snapshot(join(parent, 'b'))];
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [path, bytes] of a) expect(bytes.equals(b.get(path)!), path).toBe(true);
    expect(a.has('/media/walkway.mp4')).toBe(true);
    expect(first.steps.at(-1)).toBe(30);
    expect(summary).toMatchObject({ frames: 30, width: 320, height: 180, labelNoise: { relabelled: Math.round(0.1 * summary.boxes) } });
    // Only the finished folders: no staging folder is left behind.
    expect((await readdir(parent)).sort()).toEqual(['a', 'b']);
  });

  it('refuses a folder that holds something, and leaves it untouched', async () => {
    const target = await tempDir();
    await writeFile(join(target, 'thesis.docx'), 'mine');
    await expect(generateSample(target, TINY, context())).rejects.toMatchObject({ code: 'already-exists', where: { file: target } });
    expect(await readdir(target)).toEqual(['thesis.docx']);
  });

  it('replaces an earlier sample with --force, but never a folder that is not one', async () => {
    const target = join(await tempDir(), 'sample');
    await generateSample(target, TINY, context());
    await writeFile(join(target, 'stale.txt'), 'old');
    await generateSample(target, { ...TINY, seed: 2 }, context(), true);
    expect(await readdir(target)).not.toContain('stale.txt');
    expect(JSON.parse(await readFile(join(target, 'sample.json'), 'utf8')).options.seed).toBe(2);

    const work = await tempDir();
    await writeFile(join(work, 'thesis.docx'), 'mine');
    await expect(generateSample(work, TINY, context(), true)).rejects.toMatchObject({
      code: 'already-exists',
      message: expect.stringContaining('not replaced even with "force"'),
    });
    expect(await readdir(work)).toEqual(['thesis.docx']);
  });

  it('keeps what the user writes into an empty target while the sample is being made', async () => {
    const target = join(await tempDir(), 'empty');
    await mkdir(target);
    const job = context();
    const writer = {
      ...job,
      progress: (done: number, total: number) => (done === 5 ? void writeFile(join(target, 'notes.txt'), 'mine') : job.progress(done, total)),
    };
    await expect(generateSample(target, TINY, writer)).rejects.toMatchObject({ code: 'already-exists' });
    expect(await readdir(target)).toEqual(['notes.txt']);
    expect(await readdir(join(target, '..'))).toEqual(['empty']);
  });

  it('writes into an existing empty folder', async () => {
    const target = join(await tempDir(), 'empty');
    await mkdir(target);
    await generateSample(target, TINY, context());
    expect(await readdir(target)).toContain('project.json');
  });

  it('refuses a file as the target, and a folder it cannot create', async () => {
    const parent = await tempDir();
    await writeFile(join(parent, 'file'), 'x');
    await expect(generateSample(join(parent, 'file'), TINY, context())).rejects.toMatchObject({ code: 'already-exists' });
    await expect(generateSample(join(parent, 'file', 'inside'), TINY, context())).rejects.toMatchObject({
      code: 'io-error',
      message: `Cannot write in ${join(parent, 'file')}: part of the path is a file, not a folder`,
    });
    expect(await readdir(parent)).toEqual(['file']);
  });

  it('refuses bad options before writing anything', async () => {
    const parent = await tempDir();
    await expect(generateSample(join(parent, 'x'), { ...TINY, width: 333 }, context())).rejects.toMatchObject({
      code: 'invalid-request',
      where: { field: 'width' },
    });
    expect(await readdir(parent)).toEqual([]);
  });

  it('leaves nothing behind when cancelled halfway', async () => {
    const parent = await tempDir();
    const controller = new AbortController();
    const job = context(controller.signal);
    const cancelAt = { ...job, progress: (done: number, total: number) => (done === 10 ? controller.abort() : job.progress(done, total)) };
    await expect(generateSample(join(parent, 'clip'), { ...TINY, frames: 200 }, cancelAt)).rejects.toThrow();
    expect(await readdir(parent)).toEqual([]);
  });
});
