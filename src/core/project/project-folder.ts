import { realpath } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { ProjectSummary } from '../../shared/project';
import { exists } from '../fs/paths';
import { readyProxy } from './editing-proxy';
import { existingFolder } from './existing-folder';
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
