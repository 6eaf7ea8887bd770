// The building blocks every request, option set and settings file is declared with (valibot), and the
// one reader that checks a value against a declaration. Each block's message is what a value must be,
// so every refusal reads the same way: `"options.epochs" must be a whole number from 1 to 10000, got 0`.

import * as v from 'valibot';
import { WorkbenchError, type ErrorCode } from './errors';

export type Schema = v.GenericSchema<unknown, unknown>;
export type Input<S extends Schema> = v.InferInput<S>;
export type Output<S extends Schema> = v.InferOutput<S>;

export function text(expected = 'a non-empty string') {
  return v.pipe(v.string(expected), v.minLength(1, expected));
}

/** Text of at most `max` characters (empty allowed). */
export function shortText(max: number, expected = `text of at most ${max} characters`) {
  return v.pipe(v.string(expected), v.maxLength(max, expected));
}

export function whole(min: number, max: number, expected = `a whole number from ${min} to ${max}`) {
  return v.pipe(v.number(expected), v.integer(expected), v.minValue(min, expected), v.maxValue(max, expected));
}

/** A finite number from `min` to `max`; `above` excludes `min` itself. */
export function decimal(min: number, max: number, { above = false } = {}) {
  const expected = `a number ${above ? 'above' : 'from'} ${min} ${above ? 'up to' : 'to'} ${max}`;
  return v.pipe(v.number(expected), v.finite(expected), above ? v.gtValue(min, expected) : v.minValue(min, expected), v.maxValue(max, expected));
}

export function finite(expected = 'a number') {
  return v.pipe(v.number(expected), v.finite(expected));
}

export function flag() {
  return v.boolean('true or false');
}

export function oneOf<const T extends readonly [string, ...string[]]>(choices: T) {
  return v.picklist(choices, `one of ${choices.join(', ')}`);
}

export function list<S extends Schema>(item: S, expected = 'a list') {
  return v.array(item, expected);
}

/** An object with exactly these fields: a field the declaration does not know is almost always a typo. */
export function fields<E extends v.ObjectEntries>(entries: E) {
  return v.strictObject(entries, 'an object');
}

/** Where a checked value came from, for the error: an API request, or a file. */
export interface Origin {
  /** The API method whose request it is. */
  method?: string;
  /** Prefixed to field paths: "options" for a request's nested options, say. */
  field?: string;
  file?: string;
  code?: ErrorCode;
}

/** The value, checked and with its defaults filled in, or a WorkbenchError naming the first field at fault. */
export function read<S extends Schema>(schema: S, value: unknown, origin: Origin = {}): Output<S> {
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (result.success) return result.output;
  throw issueError(result.issues[0], origin);
}

function issueError(issue: v.BaseIssue<unknown>, origin: Origin): WorkbenchError {
  const keys = (issue.path ?? []).map((item) => item.key);
  const path = keys.reduce<string>(
    (at, key) => (typeof key === 'number' ? `${at}[${key}]` : at === '' ? String(key) : `${at}.${String(key)}`),
    origin.field ?? '',
  );
  const where = { ...(origin.file ? { file: origin.file } : {}), ...(path === '' ? {} : { field: path }) };
  const code = origin.code ?? 'invalid-request';
  const prefix = origin.method ? `${origin.method}: ` : origin.file ? `${origin.file}: ` : '';
  const field = path === '' ? (origin.method ? 'the request' : origin.file ? 'the file' : 'the value') : `"${path}"`;
  // A strict object reports a field it does not know against itself; a missing field has nothing in it.
  if (issue.type === 'strict_object' && issue.expected === 'never' && issue.path)
    return new WorkbenchError(code, `${prefix}${field} is not a field this takes`, where);
  if (issue.input === undefined && path !== '') return new WorkbenchError(code, `${prefix}${field} is required`, where);
  return new WorkbenchError(code, `${prefix}${field} must be ${issue.message}, got ${describe(issue.input)}`, where);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    // Nested past the stack, or circular: a request can hold anything, and its refusal must not fail.
    return 'a value too deep to show';
  }
  return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

export { v };
