import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** What a hidden entry beside a target holds: a version being built (`partial`) or the one it replaces (`old`). */
type Beside = 'partial' | 'old';

/** The hidden path beside `target` for a version being built or set aside; sweepLeftovers and restoreSetAside find it by this name. */
export function besidePath(target: string, kind: Beside, tag = randomBytes(4).toString('hex')): string {
  return join(dirname(target), `.${basename(target)}.${kind}-${tag}`);
}

/** Reads a besidePath name back: whose it is and what it holds, or null for any other entry. */
function parseBeside(entry: string): { target: string; kind: Beside } | null {
  const match = /^\.(.+)\.(partial|old)-[0-9a-f]{8}$/.exec(entry);
  return match ? { target: match[1]!, kind: match[2] as Beside } : null;
}

/** Where to build `target` before it is moved into place: beside it, hidden, and found by sweepLeftovers. */
export function stagingFor(target: string): string {
  return besidePath(target, 'partial');
}

/**
 * Moves a finished file or folder onto `target`. What was there is set aside first and deleted only once
 * the new one is in place; if the move fails, it is put back.
 */
export async function replaceWith(staging: string, target: string): Promise<void> {
  if (!(await stat(target).catch(() => null))) return rename(staging, target);
  const aside = besidePath(target, 'old');
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
  const entries = await readdir(dirname(target)).catch(() => [] as string[]);
  const aside = entries.find((entry) => {
    const beside = parseBeside(entry);
    return beside?.target === basename(target) && beside.kind === 'old';
  });
  if (aside) await rename(join(dirname(target), aside), target);
}

/** Removes what an interrupted run left beside `target` (its staging and set-aside folders). */
export async function sweepLeftovers(target: string): Promise<void> {
  await sweepLeftoversIn(dirname(target), basename(target));
}

/** Removes every staging and set-aside entry an interrupted run left in `folder` (only `of`'s, when given). */
export async function sweepLeftoversIn(folder: string, of?: string): Promise<void> {
  const entries = await readdir(folder).catch(() => [] as string[]);
  for (const entry of entries) {
    const beside = parseBeside(entry);
    if (beside && (of === undefined || beside.target === of)) await rm(join(folder, entry), { recursive: true, force: true });
  }
}
