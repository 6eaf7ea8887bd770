// The one way core reads and writes JSON files: a file that is missing is null, and one that cannot be
// read or parsed is an error naming the file and, for bad JSON, the line.

import { readFile } from 'node:fs/promises';
import { WorkbenchError } from '../../shared/errors';
import { writeFileAtomic } from './atomic-write';

/** The JSON in `file`, or null when there is no such file; a file that cannot be read or parsed is said, naming it. */
export async function readJsonFile(file: string): Promise<unknown> {
  const text = await readText(file);
  return text === null ? null : parseJsonFile(text, file);
}

/** Parses JSON read from `file`; a syntax error names the file and, where known, the line. */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    return notJson(file, error, position === undefined ? undefined : text.slice(0, Number(position)).split('\n').length);
  }
}

/**
 * The values in a JSON Lines file, or null when there is no such file. A last line cut short (a crash
 * while it was written) is left out; a bad line before it is said, naming the file and the line.
 */
export async function readJsonLines(file: string): Promise<unknown[] | null> {
  const text = await readText(file);
  if (text === null) return null;
  const lines = text.split('\n');
  const last = lines.findLastIndex((line) => line !== '');
  return lines.flatMap((line, index) => {
    if (line === '') return [];
    try {
      return [JSON.parse(line) as unknown];
    } catch (error) {
      return index === last ? [] : notJson(file, error, index + 1);
    }
  });
}

/** Writes `value` as JSON, atomically: a reader sees the old file or the new one, never half of one. */
export function writeJsonFile(file: string, value: unknown): Promise<void> {
  return writeFileAtomic(file, JSON.stringify(value, null, 1) + '\n');
}

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new WorkbenchError('io-error', `Cannot read ${file}: ${(error as Error).message}`, { file });
  }
}

function notJson(file: string, error: unknown, line: number | undefined): never {
  throw new WorkbenchError('invalid-project', `${file} is not valid JSON: ${(error as Error).message}`, line === undefined ? { file } : { file, line });
}
