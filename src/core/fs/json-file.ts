import { readFile } from 'node:fs/promises';
import { WorkbenchError } from '../../shared/errors';

/** The JSON in `file`, or null when there is no such file; a file that cannot be read or parsed is said, naming it. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new WorkbenchError('io-error', `Cannot read ${file}: ${(error as Error).message}`, { file });
  }
  return parseJsonFile(text, file);
}

/** Parses JSON read from `file`; a syntax error names the file and, where known, the line. */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    const line = position === undefined ? undefined : text.slice(0, Number(position)).split('\n').length;
    throw new WorkbenchError('invalid-project', `${file} is not valid JSON: ${(error as Error).message}`, line === undefined ? { file } : { file, line });
  }
}
