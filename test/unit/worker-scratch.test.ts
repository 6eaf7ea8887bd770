// A worker thread's temporary files go with it: when it ends however it ends, when its process exits
// with it still running, and, for a process killed outright, when the next process starts a worker.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobContext } from '../../src/core/jobs/job-runner';
import { runInWorker } from '../../src/core/worker/run-in-worker';
import { removeLiveScratch } from '../../src/core/worker/scratch-folder';

const SCRIPT = join(__dirname, '../support/scratch-worker.mjs');

/** Starts the scratch worker through runInWorker; `file` resolves to the path of the file it left. */
function start(end: 'exit' | 'hang') {
  const controller = new AbortController();
  let said: (path: string) => void = () => {};
  const file = new Promise<string>((resolve) => (said = resolve));
  const context: JobContext = { signal: controller.signal, progress: () => {}, log: (message) => said(message) };
  // The support worker stands in for a task: what it is given is its own.
  const ended = runInWorker(SCRIPT, 'import', { end } as never, context);
  return { file, ended, controller };
}

describe("a worker thread's temporary folder", () => {
  it('is its own, and is removed when the thread dies', async () => {
    const { file, ended } = start('exit');
    await expect(ended).rejects.toThrow('exit code 7');
    const scratch = dirname(dirname(await file));
    expect(dirname(scratch)).toBe(tmpdir());
    expect(basename(scratch)).toMatch(new RegExp(`^maskbench-job-${process.pid}-`));
    await expect.poll(() => existsSync(scratch)).toBe(false);
  });

  it("is removed by its process's exit while the thread still runs", async () => {
    const { file, ended, controller } = start('hang');
    try {
      const scratch = dirname(dirname(await file));
      expect(process.listeners('exit')).toContain(removeLiveScratch);
      removeLiveScratch();
      expect(existsSync(scratch)).toBe(false);
    } finally {
      // The thread waits to be cancelled, even when the test fails.
      controller.abort(new Error('test over'));
      await expect(ended).rejects.toThrow('test over');
    }
  });

  it('of a process that no longer runs is removed when another process starts a worker', async () => {
    const gone = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '']);
      child.on('exit', () => resolve(child.pid!));
    });
    const orphan = join(tmpdir(), `maskbench-job-${gone}-test`);
    const running = join(tmpdir(), `maskbench-job-${process.ppid}-test`);
    for (const folder of [orphan, running]) {
      mkdirSync(folder);
      writeFileSync(join(folder, 'left.js'), '');
    }
    try {
      await expect(start('exit').ended).rejects.toThrow();
      expect([existsSync(orphan), existsSync(running)]).toEqual([false, true]);
    } finally {
      for (const folder of [orphan, running]) rmSync(folder, { recursive: true, force: true });
    }
  });
});
