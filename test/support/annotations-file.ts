// What a project's annotations.json holds, read as the core reads it (schema 2 writes tracks as columns).

import { readFile } from 'node:fs/promises';
import type { ProjectAnnotations } from '../../src/shared/annotations';
import { parseAnnotations } from '../../src/core/project/annotations-file';

export async function readAnnotationsFile(file: string): Promise<ProjectAnnotations> {
  return parseAnnotations(await readFile(file, 'utf8'), file);
}
