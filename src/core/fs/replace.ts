import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Where to build `target` before it is moved into place: beside it, hidden, and found by sweepLeftovers. */
export function stagingFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.partial-${randomBytes(4).toString('hex')}`);
}

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

/**
 * Puts back what replaceWith set aside when the process died between its two moves (a training run
 * killed as it wrote a checkpoint): `target` is missing then, and its last whole version lies beside it.
 * Only for a target whose writer has ended: put back during a live replaceWith, it would fail that one's
 * second move.
 */
export async function restoreSetAside(target: string): Promise<void> {
  if (await stat(target).catch(() => null)) return;
  const prefix = `.${basename(target)}.old-`;
  const aside = (await readdir(dirname(target)).catch(() => [] as string[])).find((entry) => entry.startsWith(prefix) && /\.old-[0-9a-f]{8}$/.test(entry));
  if (aside) await rename(join(dirname(target), aside), target);
}

/** Removes what an interrupted run left beside `target` (its staging and set-aside folders). */
export async function sweepLeftovers(target: string): Promise<void> {
  await sweepLeftoversIn(dirname(target), `.${basename(target)}.`);
}

/** Removes every staging and set-aside entry an interrupted run left in `folder` (those whose name starts with `prefix`). */
export async function sweepLeftoversIn(folder: string, prefix = '.'): Promise<void> {
  const entries = await readdir(folder).catch(() => [] as string[]);
  for (const entry of entries) {
    if (entry.startsWith(prefix) && /\.(partial|old)-[0-9a-f]{8}$/.test(entry)) await rm(join(folder, entry), { recursive: true, force: true });
  }
}
