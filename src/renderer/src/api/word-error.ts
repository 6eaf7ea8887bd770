import { isApiMethod } from '../../../shared/api';
import { describeError, type WorkbenchErrorData } from '../../../shared/errors';

/** A field path as core writes it ("options.batchSize", "tags[0]"): a lower-case name, dots and indexes. */
const QUOTED_FIELD = /"([a-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*|\[\d+\])*)"/g;

/**
 * An error as the window words it. Core names fields by their path in the request ("options.batchSize");
 * a person reads the setting's name ("batch size"), without the API method, and no "(field ...)" after it:
 * the message says what is wrong in words, and the window has no fields by those names.
 */
export function describeForWindow(error: WorkbenchErrorData): string {
  const method = /^(\w+): /.exec(error.message);
  const text = method && isApiMethod(method[1]) ? error.message.slice(method[0].length) : error.message;
  const worded = text.replace(QUOTED_FIELD, (_quoted, field: string) => settingName(field));
  // A message that opened with a field opens with its name now, as a sentence does.
  const message = text.startsWith('"') ? worded.replace(/^("?)(.)/, (_start, quote: string, first: string) => quote + first.toUpperCase()) : worded;
  const { field: _named, ...where } = error.where ?? {};
  return describeError({ ...error, message, where });
}

/** Fields the window sets with a control of another name, as its label reads. */
const CONTROL_NAMES: Readonly<Record<string, string>> = {
  force: 'the "replace" box',
  replace: 'the "replace" box',
  allowMissingClasses: 'the "train anyway" box',
  stride: '"every n-th frame"',
  'split[0]': 'the train fraction',
  'split[1]': 'the val fraction',
  'split[2]': 'the test fraction',
  gap: '"gap between parts"',
  minSize: '"smallest box"',
  headFraction: '"head: top part of the box"',
  ndPolicy: '"ND boxes"',
  augmentFlip: '"mirror half the crops"',
  augmentShift: '"shift up to"',
  augmentColour: '"colour jitter up to"',
  stepEvery: '"every (epochs)"',
  stepFactor: '"multiply by"',
  patience: '"early stop after"',
};

function settingName(field: string): string {
  const name = field.split('.').pop()!;
  return CONTROL_NAMES[name] ?? name.replace(/\[(\d+)\]/g, ' $1').replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);
}
