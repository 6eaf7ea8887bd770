import { describeError, type WorkbenchErrorData } from '../../../shared/errors';

/**
 * An error as the window words it. Core names the field at fault by its path in the request
 * ("options.batchSize"); a person reads the setting's name ("batch size"), without the API method.
 */
export function describeForWindow(error: WorkbenchErrorData): string {
  const field = error.where?.field;
  const message = error.message.replace(/^\w+: /, '');
  if (field === undefined || !message.includes(`"${field}"`)) return describeError({ ...error, message });
  const name = field
    .split('.')
    .pop()!
    .replace(/\[(\d+)\]/g, ' $1')
    .replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);
  const worded = message.replace(`"${field}"`, name).replace(/^./, (first) => first.toUpperCase());
  const { field: _named, ...where } = error.where ?? {};
  return describeError({ ...error, message: worded, where });
}
