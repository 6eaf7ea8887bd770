// The one way core reads and writes JSON files: a file that is missing is null, and one that cannot be
// read or parsed is an error naming the file and, for bad JSON, the line.

import { readFile } from 'node:fs/promises';
import { WorkbenchError } from '../../shared/errors';
import { jsonTooDeepAt } from '../../shared/json-depth';
import { writeFileAtomic } from './atomic-write';

/** The JSON in `file`, or null when there is no such file; a file that cannot be read or parsed is said, naming it. */
export async function readJsonFile(file: string): Promise<unknown> {
  const text = await readText(file);
  return text === null ? null : parseJsonFile(text, file);
}

/** Deeper than any file Maskbench writes; what walks a value (JSON.stringify, say) may run out of stack on deeper. */
const MAX_JSON_DEPTH = 512;

/** Parses JSON read from `file`; a syntax error, or nesting deeper than MAX_JSON_DEPTH, names the file and the line. */
export function parseJsonFile(text: string, file: string): unknown {
  const json = withoutBom(text);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    return notJson(file, error, lineAt(json, position === undefined ? syntaxErrorIndex(json) : Number(position)));
  }
  const deep = jsonTooDeepAt(json, MAX_JSON_DEPTH);
  if (deep >= 0) throw new WorkbenchError('invalid-project', `${file} nests lists or objects over ${MAX_JSON_DEPTH} deep`, { file, line: lineAt(json, deep) });
  return value;
}

function lineAt(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

// A JSON token (or a run of white space), read at one place: what may come next is decided by the scanner.
// eslint-disable-next-line no-control-regex -- JSON strings may not hold control characters
const TOKEN = /[ \t\n\r]+|"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[\da-fA-F]{4}))*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|[{}[\]:,]/y;

/** Where JSON goes wrong, for the errors where JSON.parse does not say: the first token that cannot come next. */
function syntaxErrorIndex(json: string): number {
  const open: string[] = [];
  let expect: 'value' | 'value or ]' | 'key' | 'key or }' | ':' | 'after value' = 'value';
  for (let at = 0; at < json.length; at = TOKEN.lastIndex) {
    TOKEN.lastIndex = at;
    const token = TOKEN.exec(json)?.[0];
    if (token === undefined) return at;
    if (/^\s/.test(token)) continue;
    if (expect === 'after value') {
      const closes = open.at(-1) === '{' ? '}' : ']';
      if (token === ',' && open.length) expect = closes === '}' ? 'key' : 'value';
      else if (token === closes && open.length) open.pop();
      else return at;
    } else if (expect === ':') {
      if (token !== ':') return at;
      expect = 'value';
    } else if ((expect === 'key or }' && token === '}') || (expect === 'value or ]' && token === ']')) {
      open.pop();
      expect = 'after value';
    } else if (expect === 'key' || expect === 'key or }') {
      if (!token.startsWith('"')) return at;
      expect = ':';
    } else if (token === '{' || token === '[') {
      open.push(token);
      expect = token === '{' ? 'key or }' : 'value or ]';
    } else if (/^[\]}:,]$/.test(token)) return at;
    else expect = 'after value';
  }
  return json.length;
}

/**
 * The values in a JSON Lines file, or null when there is no such file. A last line cut short (a crash
 * while it was written) is left out; a bad line before it is said, naming the file and the line.
 */
export async function readJsonLines(file: string): Promise<unknown[] | null> {
  const text = await readText(file);
  if (text === null) return null;
  const lines = withoutBom(text).split('\n');
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

/** Some Windows editors start a UTF-8 file with a byte order mark, which JSON.parse refuses. */
function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function notJson(file: string, error: unknown, line: number | undefined): never {
  throw new WorkbenchError('invalid-project', `${file} is not valid JSON: ${(error as Error).message}`, line === undefined ? { file } : { file, line });
}
