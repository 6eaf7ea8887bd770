import { isApiMethod } from '../../../shared/api';
import { describeError, type WorkbenchErrorData } from '../../../shared/errors';

/** A field path as core writes it ("options.batchSize", "tags[0]"): a lower-case name, dots and indexes. */
const QUOTED_FIELD = /"([a-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*|\[\d+\])*)"/g;

/**
 * An error as the window words it. Core names fields by their path in the request ("options.batchSize");
 * a person reads the setting's name ("batch size"), without the API method.
 */
export function describeForWindow(error: WorkbenchErrorData): string {
  const method = /^(\w+): /.exec(error.message);
  const text = method && isApiMethod(method[1]) ? error.message.slice(method[0].length) : error.message;
  const worded = text.replace(QUOTED_FIELD, (_quoted, field: string) => settingName(field));
  if (worded === error.message) return describeError(error);
  // A message that opened with a field opens with its name now, as a sentence does.
  const message = text.startsWith('"') ? worded.replace(/^./, (first) => first.toUpperCase()) : worded;
  const { field: _named, ...where } = error.where ?? {};
  return describeError({ ...error, message, where });
}

/** Fields the window sets with a control of another name. */
const CONTROL_NAMES: Readonly<Record<string, string>> = { force: 'the "replace" box', replace: 'the "replace" box' };

function settingName(field: string): string {
  const control = CONTROL_NAMES[field];
  if (control) return control;
  return field
    .split('.')
    .pop()!
    .replace(/\[(\d+)\]/g, ' $1')
    .replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);
}
