import { randomBytes } from 'node:crypto';
import { readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { exists } from './paths';

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
  if (!(await exists(target))) return rename(staging, target);
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
  if (await exists(target)) return;
  const aside = (await besideEntries(dirname(target))).find(({ beside }) => beside.target === basename(target) && beside.kind === 'old');
  if (aside) await rename(aside.path, target);
}

/** Removes what an interrupted writer left beside `target` (see sweepLeftoversIn). */
export async function sweepLeftovers(target: string): Promise<void> {
  await sweepLeftoversIn(dirname(target), basename(target));
}

/**
 * Removes every staging and set-aside entry an interrupted writer left in `folder` (only `of`'s, when
 * given), but puts back a set-aside version whose target is missing, as restoreSetAside does: it is the
 * last whole one (a dataset whose rebuild was killed between replaceWith's two moves), and a later
 * rebuild that fails must not have deleted it.
 */
export async function sweepLeftoversIn(folder: string, of?: string): Promise<void> {
  for (const { path, beside } of await besideEntries(folder)) {
    if (of !== undefined && beside.target !== of) continue;
    const target = join(folder, beside.target);
    if (beside.kind === 'old' && !(await exists(target))) await rename(path, target);
    else await rm(path, { recursive: true, force: true });
  }
}

/** The staging and set-aside entries in `folder`. */
async function besideEntries(folder: string): Promise<{ path: string; beside: { target: string; kind: Beside } }[]> {
  const entries = await readdir(folder).catch(() => [] as string[]);
  return entries.flatMap((entry) => {
    const beside = parseBeside(entry);
    return beside ? [{ path: join(folder, entry), beside }] : [];
  });
}
