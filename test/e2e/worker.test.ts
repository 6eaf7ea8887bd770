// Jobs that run in a worker thread, through the built worker entry (out/main/worker.js).

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobContext } from '../../src/core/jobs/job-runner';
import { runInWorker } from '../../src/core/worker/run-in-worker';
import { SAMPLE_DEFAULTS } from '../../src/core/sample/sample-options';
import { assertBuilt } from '../support/built-app';
import { useTempDirs } from '../support/temp-dir';
import { WORKER_SCRIPT } from '../support/workbench';

const TINY = { ...SAMPLE_DEFAULTS, frames: 40, width: 320, height: 180 };

function context(controller = new AbortController()) {
  const progress: number[] = [];
  const job: JobContext = { signal: controller.signal, progress: (done) => progress.push(done), log: () => {} };
  return { job, progress, controller };
}

describe('runInWorker', () => {
  const tempDir = useTempDirs();
  beforeAll(assertBuilt);

  it('runs the sample task off the main thread, relaying its progress and result', async () => {
    const target = join(await tempDir(), 'sample');
    const { job, progress } = context();
    const result = await runInWorker(WORKER_SCRIPT, 'sample', { target, options: TINY, force: false }, job);
    expect(result).toMatchObject({ path: target, frames: 40 });
    expect(progress.at(-1)).toBe(40);
    expect(await readdir(target)).toContain('project.json');
  });

  it('brings a task’s error back with its code and location', async () => {
    const parent = await tempDir();
    const { job } = context();
    const failure = runInWorker(WORKER_SCRIPT, 'sample', { target: join(parent, 'x'), options: { ...TINY, height: 121 }, force: false }, job);
    await expect(failure).rejects.toMatchObject({ name: 'WorkbenchError', code: 'invalid-request', where: { field: 'height' } });
  });

  it('stops on cancel and leaves nothing behind', async () => {
    const parent = await tempDir();
    const { job, progress, controller } = context();
    const running = runInWorker(WORKER_SCRIPT, 'sample', { target: join(parent, 'x'), options: { ...TINY, frames: 5000 }, force: false }, job);
    while (progress.length === 0 || progress.at(-1)! < 5) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(running).rejects.toThrow();
    expect(progress.at(-1)).toBeLessThan(5000);
    expect(await readdir(parent)).toEqual([]);
  });

  it('does not start a task whose job was cancelled before its thread was made', async () => {
    const parent = await tempDir();
    const { job, progress, controller } = context();
    controller.abort();
    await expect(runInWorker(WORKER_SCRIPT, 'sample', { target: join(parent, 'x'), options: TINY, force: false }, job)).rejects.toThrow();
    // Had the thread started, it would render the clip with no one to stop it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect([progress, await readdir(parent)]).toEqual([[], []]);
  });
});
