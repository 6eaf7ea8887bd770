import { realpath, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { ProjectSummary } from '../../shared/project';
import { WorkbenchError } from '../../shared/errors';
import { readyProxy } from './editing-proxy';
import { readProjectSettings } from './project-settings';

/** Checks that `path` is an existing folder, reads its project.json if it has one, and names it by its real path. */
export async function loadProjectFolder(path: string): Promise<ProjectSummary> {
  const real = await realpath(await existingFolder(path));
  const settings = await readProjectSettings(real);
  const media = settings?.media ? resolve(real, settings.media.path) : null;
  const missingMedia = media && !(await exists(media)) ? media : null;
  const editingProxy = missingMedia ? null : await readyProxy(real, settings?.media ?? null);
  return { path: real, name: settings?.name ?? basename(real), settings, missingMedia, editingProxy };
}

/**
 * `path` made absolute, once it is known to be an existing folder; `field` is the request's field that
 * named it. For the commands that work on a project already made: a mistyped path is then named as such,
 * not taken for a project with nothing in it yet.
 */
export async function existingFolder(path: string, field?: string): Promise<string> {
  const absolute = resolve(path);
  const where = { file: absolute, ...(field ? { field } : {}) };
  let info;
  try {
    info = await stat(absolute);
  } catch {
    throw new WorkbenchError('not-found', `There is no project folder at ${absolute}`, where);
  }
  if (!info.isDirectory()) {
    throw new WorkbenchError('not-a-directory', `${absolute} is a file, not a project folder`, where);
  }
  return absolute;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
