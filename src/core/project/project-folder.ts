import { realpath, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { ProjectSummary } from '../../shared/api';
import { WorkbenchError } from '../../shared/errors';

/** Checks that `path` is an existing folder and names it by its real (symlink-free) path. */
export async function resolveProjectFolder(path: string): Promise<ProjectSummary> {
  const absolute = resolve(path);
  let info;
  try {
    info = await stat(absolute);
  } catch {
    throw new WorkbenchError('not-found', `There is no project folder at ${absolute}`, { file: absolute });
  }
  if (!info.isDirectory()) {
    throw new WorkbenchError('not-a-directory', `${absolute} is a file, not a project folder`, { file: absolute });
  }
  const real = await realpath(absolute);
  return { path: real, name: basename(real) };
}
