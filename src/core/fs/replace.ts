import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Moves a finished file or folder onto `target`. What was there is set aside first and deleted only once
 * the new one is in place; if the move fails, it is put back.
 */
export async function replaceWith(staging: string, target: string): Promise<void> {
  if (!(await stat(target).catch(() => null))) return rename(staging, target);
  const aside = join(dirname(target), `.${basename(target)}.old-${randomBytes(4).toString('hex')}`);
  await rename(target, aside);
  try {
    await rename(staging, target);
  } catch (error) {
    await rename(aside, target);
    throw error;
  }
  await rm(aside, { recursive: true, force: true });
}

/** Removes what an interrupted run left beside `target` (its staging and set-aside folders). */
export async function sweepLeftovers(target: string): Promise<void> {
  const prefix = `.${basename(target)}.`;
  const entries = await readdir(dirname(target)).catch(() => [] as string[]);
  for (const entry of entries) {
    if (entry.startsWith(prefix) && /\.(partial|old)-[0-9a-f]{8}$/.test(entry)) await rm(join(dirname(target), entry), { recursive: true, force: true });
  }
}
