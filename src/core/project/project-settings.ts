// Reads and checks a project's project.json. Every problem names the file and the field (or the line,
// for JSON that does not parse).

import { isAbsolute, resolve } from 'node:path';
import { WorkbenchError } from '../../shared/errors';
import { PROJECT_SCHEMA, projectSettingsSchema, type ProjectSettings } from '../../shared/project';
import { read } from '../../shared/schema';
import { readJsonFile } from '../fs/json-file';
import { projectPaths } from './layout';

/** The settings in `folder`, or null when the folder has no project.json. */
export async function readProjectSettings(folder: string): Promise<ProjectSettings | null> {
  const file = projectPaths(folder).settings;
  const value = await readJsonFile(file);
  return value === null ? null : checkSettings(value, file, folder);
}

/** Checks settings read from (or about to be written to) `file` in `folder`; a problem names the file and the field. */
export function checkSettings(value: unknown, file: string, folder: string): ProjectSettings {
  const schema = (value as { schema?: unknown } | null)?.schema;
  if (schema !== PROJECT_SCHEMA) {
    throw new WorkbenchError('invalid-project', `${file} has schema ${JSON.stringify(schema)}; this Maskbench reads schema ${PROJECT_SCHEMA}`, {
      file,
      field: 'schema',
    });
  }
  const settings = read(projectSettingsSchema, value, { file, code: 'invalid-project' });
  const fail = (field: string, expected: string): never => {
    throw new WorkbenchError('invalid-project', `${file}: "${field}" must be ${expected}`, { file, field });
  };
  if (settings.media && !isRelative(folder, settings.media.path)) fail('media.path', 'a path relative to the project folder, not the folder itself');
  const names = settings.labels.map((label) => label.name);
  names.forEach((name, index) => names.indexOf(name) !== index && fail(`labels[${index}].name`, `unique ("${name}" is listed twice)`));
  for (const [from, to] of Object.entries(settings.labelMapping)) {
    if (!names.includes(to)) fail(`labelMapping.${from}`, `one of the project's labels (${names.join(', ')})`);
  }
  return settings;
}

/** Media copied into the project lie inside it; media referenced where they are, outside: either way the path is relative, so the project and its media can move together. */
function isRelative(folder: string, path: string): boolean {
  return path !== '' && !isAbsolute(path) && resolve(folder, path) !== folder;
}
