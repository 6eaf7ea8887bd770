// Each worker thread gets a temporary folder of its own (its TMPDIR), owned by the thread that started it:
// removed when the worker exits, however it ends, and when this process exits with workers still running.
// A process killed outright leaves its folders behind, named by its pid: the next process to start a
// worker removes those whose process is gone.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'maskbench-job-';
/** A folder's name, with the pid of the process that made it. */
const NAME = new RegExp(`^${PREFIX}(\\d+)-`);

/** The folders of this process's running workers. */
const live = new Set<string>();

/** A new folder for a worker about to start; `release` removes it once the worker has exited. */
export function scratchFolder(): { folder: string; release: () => Promise<void> } {
  if (!process.listeners('exit').includes(removeLiveScratch)) process.on('exit', removeLiveScratch);
  removeOrphanedScratch();
  const folder = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
  live.add(folder);
  return {
    folder,
    release: () =>
      rm(folder, { recursive: true, force: true }).then(
        () => void live.delete(folder),
        // Still listed: this process's exit tries again.
        () => {},
      ),
  };
}

/** What this process's exit does: its threads end with it, so their folders go (synchronously, as 'exit' requires). */
export function removeLiveScratch(): void {
  for (const folder of live) rmSync(folder, { recursive: true, force: true });
  live.clear();
}

/** Removes the folders of processes that no longer run (killed before they could remove them). */
function removeOrphanedScratch(): void {
  for (const name of readdirSync(tmpdir())) {
    const owner = NAME.exec(name)?.[1];
    if (owner === undefined || isRunning(Number(owner))) continue;
    try {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    } catch {
      // Another user's, in a shared /tmp: not ours to remove, and no reason to fail a job.
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
