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
  const worded = text.replace(QUOTED_FIELD, (_quoted, field: string) => fieldName(field));
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

/** "options.batchSize": "batch size"; an entry of a list, "tags[0]": "tags (the 1st value)". */
function fieldName(field: string): string {
  const name = field.split('.').pop()!;
  if (CONTROL_NAMES[name]) return CONTROL_NAMES[name];
  const [, key, index] = /^(.*?)(?:\[(\d+)\])?$/.exec(name)!;
  const words = key!.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);
  return index === undefined ? words : `${words} (the ${ordinal(Number(index) + 1)} value)`;
}

/** 1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st. */
function ordinal(n: number): string {
  const teen = Math.floor(n / 10) % 10 === 1;
  const suffix = teen ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${suffix}`;
}
