// Command-line flags: read as the values core declarations take, and core's field names worded back as
// the flags the user typed.

import { existingFolder } from '../core/project/existing-folder';
import { WorkbenchError, describeError, type WorkbenchErrorData } from '../shared/errors';
import { BACKEND_CHOICES, type BackendChoice } from '../shared/runs';
import { oneOf, read, v } from '../shared/schema';
import type { CliCommand } from './command';

type FlagValue = string | boolean | undefined;

/** What of a command names its flags: its options, and the core fields whose flag has another name. */
type CommandFlags = Pick<CliCommand, 'options' | 'flags'>;

/** A plain decimal number: no hex, octal or binary, no Infinity, no denormals (which no setting means). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The flag's number, or undefined when it was not given; `field` is the core field it sets. */
export function number(value: FlagValue, field: string): number | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value.trim() : '';
  const parsed = DECIMAL.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(parsed) || (parsed !== 0 && Math.abs(parsed) < 2.2250738585072014e-308)) {
    throw new WorkbenchError('invalid-request', `"${field}" must be a number, got "${String(value)}"`, { field });
  }
  return parsed;
}

/** --backend's choice, or undefined when it was not given. */
export function backend(value: FlagValue): BackendChoice | undefined {
  return read(v.optional(oneOf(BACKEND_CHOICES)), value, { field: 'backend' });
}

/** The usage line of --backend, for the commands that run a model. */
export const BACKEND_USAGE = `--backend B          ${BACKEND_CHOICES.join(', ')} (default auto: the fastest that loads)`;

export function required(value: FlagValue, field: string): string {
  if (typeof value === 'string' && value !== '') return value;
  throw new WorkbenchError('invalid-request', `"${field}" is required`, { field });
}

/** --project's folder, made absolute, once it is known to exist. */
export async function projectFolder(value: FlagValue): Promise<string> {
  return existingFolder(required(value, 'project'), 'project');
}

/** The given flags as a request object: only what was given, so the declaration fills in its defaults. */
export function given(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}

/**
 * The error as the command line words it: each quoted core field that is one of the command's options
 * ("batchSize") becomes its flag (--batch). For --json, `where.field` keeps the core's name for scripts.
 */
export function wordForCli(error: WorkbenchErrorData, command: CommandFlags = { options: {} }): WorkbenchErrorData {
  const message = error.message.replace(/"([\w.[\]]+)"/g, (quoted, field: string) => optionFlag(field, command) ?? quoted);
  return { ...error, message };
}

/** Core fields that every command sets with a flag of another name. */
const FIELD_FLAGS: Readonly<Record<string, string>> = { runId: '--run' };

/** The flag that sets a core field: its name in kebab case unless `flags` names it otherwise. */
export function flagOf(field: string, flags: Readonly<Record<string, string>> = {}): string {
  const name = field.split('.').pop()!;
  return flags[name] ?? FIELD_FLAGS[name] ?? `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** The flag of `field` when it is one of the command's options, else undefined. */
function optionFlag(field: string, command: CommandFlags): string | undefined {
  const flag = flagOf(field, command.flags);
  return Object.hasOwn(command.options, flag.slice(2)) ? flag : undefined;
}

/**
 * The error as a line for a person. The field it is about is named once: not again where the message
 * says it (by its flag, or in words: "There is no project folder at ..."), else by its flag ("(flag
 * --run)"), else by its core name.
 */
export function describeForCli(error: WorkbenchErrorData, command: CommandFlags = { options: {} }): string {
  const worded = wordForCli(error, command);
  const field = worded.where?.field;
  if (field === undefined) return describeError(worded);
  const flag = optionFlag(field, command);
  const name = field.split('.').pop()!.replace(/[^\w]/g, '\\$&');
  if ((flag !== undefined && worded.message.includes(flag)) || new RegExp(`\\b${name}\\b`, 'i').test(worded.message)) {
    const { field: _named, ...where } = worded.where!;
    return describeError({ ...worded, where });
  }
  return describeError(worded, (core) => (flag ? `flag ${flag}` : `field ${core}`));
}
