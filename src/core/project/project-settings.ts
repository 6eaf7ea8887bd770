// Reads and checks a project's project.json. Every problem names the file and the field (or the line,
// for JSON that does not parse).

import { isAbsolute, join, resolve } from 'node:path';
import { WorkbenchError } from '../../shared/errors';
import { PROJECT_FILE, PROJECT_SCHEMA, type LabelDef, type MediaSettings, type ProjectSettings } from '../../shared/project';
import { isWithin } from '../fs/paths';
import { readJsonFile } from '../fs/json-file';

/** The settings in `folder`, or null when the folder has no project.json. */
export async function readProjectSettings(folder: string): Promise<ProjectSettings | null> {
  const file = join(folder, PROJECT_FILE);
  const value = await readJsonFile(file);
  return value === null ? null : checkSettings(value, file, folder);
}

function checkSettings(value: unknown, file: string, folder: string): ProjectSettings {
  const fail = (field: string, expected: string): never => {
    throw new WorkbenchError('invalid-project', `${file}: "${field}" must be ${expected}`, { file, field });
  };
  const root = isObject(value) ? value : fail('(the whole file)', 'a JSON object');
  if (root.schema !== PROJECT_SCHEMA) {
    throw new WorkbenchError('invalid-project', `${file} has schema ${JSON.stringify(root.schema)}; this Maskbench reads schema ${PROJECT_SCHEMA}`, { file, field: 'schema' });
  }
  const name = typeof root.name === 'string' && root.name.trim() !== '' ? root.name : fail('name', 'a non-empty string');

  let media: MediaSettings | null = null;
  if (root.media !== null && root.media !== undefined) {
    const m = isObject(root.media) ? root.media : fail('media', 'an object or null');
    const kind = m.kind === 'video' || m.kind === 'frames' ? m.kind : fail('media.kind', '"video" or "frames"');
    const path = typeof m.path === 'string' && isInside(folder, m.path) ? m.path : fail('media.path', 'a path inside the project folder');
    const positive = (field: 'fps' | 'frameCount' | 'width' | 'height', integer: boolean) => {
      const number = m[field];
      return typeof number === 'number' && number > 0 && (!integer || Number.isInteger(number)) ? number : fail(`media.${field}`, integer ? 'a whole number above 0' : 'a number above 0');
    };
    media = { kind, path, fps: positive('fps', false), frameCount: positive('frameCount', true), width: positive('width', true), height: positive('height', true) };
  }

  const labelList = Array.isArray(root.labels) && root.labels.length > 0 ? root.labels : fail('labels', 'a non-empty list');
  const labels: LabelDef[] = labelList.map((entry, index) => {
    const label = isObject(entry) ? entry : fail(`labels[${index}]`, 'an object');
    const text = (field: keyof LabelDef, allowEmpty: boolean) =>
      typeof label[field] === 'string' && (allowEmpty || label[field] !== '') ? (label[field] as string) : fail(`labels[${index}].${field}`, allowEmpty ? 'a string' : 'a non-empty string');
    return { name: text('name', false), description: text('description', true), color: text('color', false), key: text('key', true) };
  });
  const names = new Set<string>();
  labels.forEach((label, index) => (names.has(label.name) ? fail(`labels[${index}].name`, `unique ("${label.name}" is listed twice)`) : names.add(label.name)));

  const mapping = root.labelMapping === undefined ? {} : isObject(root.labelMapping) ? root.labelMapping : fail('labelMapping', 'an object');
  const labelMapping: Record<string, string> = {};
  for (const [from, to] of Object.entries(mapping)) {
    labelMapping[from] = typeof to === 'string' && names.has(to) ? to : fail(`labelMapping.${from}`, `one of the project's labels (${[...names].join(', ')})`);
  }
  return { schema: PROJECT_SCHEMA, name, media, labels, labelMapping };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInside(folder: string, path: string): boolean {
  return path !== '' && !isAbsolute(path) && isWithin(folder, resolve(folder, path)) && resolve(folder, path) !== folder;
}
