// The browser-mode bridge's messages, and how they travel: JSON text, or, when a value holds typed arrays
// (the packed annotations), one binary frame so that megabytes of numbers are neither printed nor parsed.

import type { CallResult, WorkbenchEvent } from './api';

/** What the browser-mode server sends: a call's result (id null when the call was unreadable) or an event. */
export type BridgeMessage = ({ type: 'result'; id: number | null } & CallResult) | { type: 'event'; event: WorkbenchEvent };

/** What the page sends. */
export interface BridgeCall {
  id: number;
  method: string;
  request: object;
}

export const BRIDGE_PATH = '/api';
export const MEDIA_PATH = '/media/';

const TYPED_ARRAYS = { Float64Array, Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array } as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;

/** Where a typed array was, in a binary frame's JSON part: an object of exactly these three keys. */
interface TypedArrayRef {
  $typed: TypedArrayName;
  offset: number;
  length: number;
}

/**
 * A binary frame: the JSON part's byte length (4 bytes, little-endian), the JSON part with each typed
 * array replaced by a TypedArrayRef, then the arrays' bytes, each starting at a multiple of 8 so that the
 * page reads them in place.
 */
export function encodeBridgeMessage(message: BridgeMessage): string | Uint8Array {
  const arrays: ArrayBufferView[] = [];
  let bytes = 0;
  const refs = JSON.stringify(message, (_key, value: unknown) => {
    if (!ArrayBuffer.isView(value)) return value;
    const name = (Object.keys(TYPED_ARRAYS) as TypedArrayName[]).find((type) => value instanceof TYPED_ARRAYS[type]);
    if (!name) throw new Error(`The bridge cannot send a ${value.constructor.name}`);
    const offset = bytes;
    arrays.push(value);
    bytes = alignTo8(bytes + value.byteLength);
    return { $typed: name, offset, length: value.byteLength / (value as Uint8Array).BYTES_PER_ELEMENT } satisfies TypedArrayRef;
  });
  if (arrays.length === 0) return refs;
  const json = new TextEncoder().encode(refs);
  const start = alignTo8(4 + json.byteLength);
  const frame = new Uint8Array(start + bytes);
  new DataView(frame.buffer).setUint32(0, json.byteLength, true);
  frame.set(json, 4);
  let at = start;
  for (const array of arrays) {
    frame.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), at);
    at = alignTo8(at + array.byteLength);
  }
  return frame;
}

export function decodeBridgeMessage(data: string | ArrayBuffer): BridgeMessage {
  if (typeof data === 'string') return JSON.parse(data) as BridgeMessage;
  const length = new DataView(data).getUint32(0, true);
  const start = alignTo8(4 + length);
  const json = new TextDecoder().decode(new Uint8Array(data, 4, length));
  return withTypedArrays(JSON.parse(json), data, start) as BridgeMessage;
}

/** `value` with each TypedArrayRef replaced by its array. Not a JSON.parse reviver: called for each of an hour's 90,000 frame names, that took a fifth of a second. */
function withTypedArrays(value: unknown, data: ArrayBuffer, start: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (isTypedArrayRef(value)) return new TYPED_ARRAYS[value.$typed](data, start + value.offset, value.length);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (typeof value[i] === 'object') value[i] = withTypedArrays(value[i], data, start);
    return value;
  }
  const entries = value as Record<string, unknown>;
  for (const key of Object.keys(entries)) entries[key] = withTypedArrays(entries[key], data, start);
  return value;
}

function isTypedArrayRef(value: unknown): value is TypedArrayRef {
  if (typeof value !== 'object' || value === null || Object.keys(value).length !== 3) return false;
  const { $typed, offset, length } = value as Partial<TypedArrayRef>;
  return typeof $typed === 'string' && Object.hasOwn(TYPED_ARRAYS, $typed) && Number.isInteger(offset) && Number.isInteger(length);
}

function alignTo8(bytes: number): number {
  return Math.ceil(bytes / 8) * 8;
}
