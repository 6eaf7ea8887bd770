// A project folder that must already be there, checked before anything is read from it. Apart from
// project-folder.ts, so that readers such as the training worker's do not load the editing proxy with it.

import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { WorkbenchError } from '../../shared/errors';

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
