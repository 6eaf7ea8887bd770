import { describeError, type WorkbenchErrorData } from '../../../shared/errors';

/** A field path as core writes it ("options.batchSize", "tags[0]"): a lower-case name, dots and indexes. */
const QUOTED_FIELD = /"([a-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*|\[\d+\])*)"/g;

/**
 * An error as the window words it. Core names fields by their path in the request ("options.batchSize");
 * a person reads the setting's name ("batch size"), without the API method.
 */
export function describeForWindow(error: WorkbenchErrorData): string {
  const message = error.message
    .replace(/^\w+: /, '')
    .replace(QUOTED_FIELD, (_quoted, field: string) => settingName(field))
    .replace(/^./, (first) => first.toUpperCase());
  if (message === error.message) return describeError(error);
  const { field: _named, ...where } = error.where ?? {};
  return describeError({ ...error, message, where });
}

function settingName(field: string): string {
  return field
    .split('.')
    .pop()!
    .replace(/\[(\d+)\]/g, ' $1')
    .replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);
}
