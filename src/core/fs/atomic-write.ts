import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { isProcessAlive } from './live-process';

/**
 * Writes a file so that readers see the old content or the new, never a mix: a crash mid-write leaves
 * only a stray temp file beside it (removeStrayTempFiles clears those). The temp file is fsynced before
 * the rename makes it visible.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  // Named by the writing process too, so that a sweep can tell a temp file still being written from a dead one.
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** writeFileAtomic's temp files: `.<file>.<pid>.<12 hex digits>.tmp`, or without the pid as earlier builds named them. */
const TEMP_FILE = /^\..+?\.(?:(\d+)\.)?[0-9a-f]{12}\.tmp$/;
/** No write takes this long, so an older temp file is stray even when its pid now belongs to another process. */
const STALE_AFTER_MS = 60 * 60 * 1000;

/**
 * Removes the temp files that writes cut off by a crash left in `folder` (not in its subfolders): only
 * files named as writeFileAtomic names them, and only once their writer is gone. A live writer, in this
 * process or another working on the same folder, is about to rename its file into place.
 */
export async function removeStrayTempFiles(folder: string): Promise<void> {
  for (const name of await readdir(folder).catch(() => [] as string[])) {
    const match = TEMP_FILE.exec(name);
    if (match && (await isStray(join(folder, name), match[1]))) await rm(join(folder, name), { force: true });
  }
}

/** Whether a temp file's writer is gone: it named no pid, or a process that is not running, or it is old. */
async function isStray(file: string, pid: string | undefined): Promise<boolean> {
  if (pid === undefined || !isProcessAlive(Number(pid))) return true;
  const info = await stat(file).catch(() => null);
  return info !== null && Date.now() - info.mtimeMs > STALE_AFTER_MS;
}
