import { WorkbenchError } from '../../shared/errors';

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
