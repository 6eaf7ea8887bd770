// The project's annotations as a few typed arrays instead of one object per box: what crosses to the
// window. An hour of boxes is 540,000 shapes; as JSON objects that is 75 MB that Chromium takes seconds
// to receive and parse, packed it is 6 MB and no parsing (typed arrays pass through Electron's
// structured clone and the WebSocket bridge's binary frames as they are). Frames and boxes go as each
// track's first, then steps from one keyframe to the next: small numbers, in the narrowest array that
// holds them exactly.

import type { AnnotationTrack, FormatExtra, ProjectAnnotations, Shape } from './annotations';

/** Numbers per box in `boxes`: xtl, ytl, xbr, ybr. */
const CORNERS = 4;
/** Boxes whose corners are all whole hundredths (CVAT writes two decimals) are sent as those, in steps; others as they are. */
const HUNDREDTHS = 100;

type WholeNumbers = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** Whole numbers as each track's first values, then each shape's change from the shape before it in its track. */
export interface Steps {
  /** `width` values per track. */
  first: Float64Array;
  /** `width` values per shape; a track's first shape's are 0. */
  steps: WholeNumbers | Float64Array;
}

/** Bits of `flags`: the two booleans, and the optional VOC flags with whether each is set at all. */
const OCCLUDED = 1;
const OUTSIDE = 2;
const TRUNCATED = 4;
const HAS_TRUNCATED = 8;
const DIFFICULT = 16;
const HAS_DIFFICULT = 32;

/** What few shapes have, kept beside the columns: named attributes, VOC's pose, an import's extras. */
export interface RareShapeFields {
  shape: number;
  attributes?: Record<string, string>;
  pose?: string;
  extra?: FormatExtra;
}

export interface PackedTracks {
  ids: Float64Array;
  /** Track t's shapes are firstShape[t] up to (not including) firstShape[t + 1]. */
  firstShape: Uint32Array;
  frames: Steps;
  /** xtl, ytl, xbr, ybr of every shape: in hundredths and in steps, or else as they are. */
  boxes: { scale: typeof HUNDREDTHS; hundredths: Steps } | { scale: 1; values: Float64Array };
  /** Empty when every shape's is 0, as it nearly always is. */
  zOrders: Float64Array;
  /** Each shape's label, as an index into labelNames. */
  labels: WholeNumbers | Float64Array;
  labelNames: string[];
  flags: Uint8Array;
  rare: RareShapeFields[];
  /** Track index and its extra, for the tracks that have one. */
  trackExtras: Array<[number, FormatExtra]>;
}

export interface PackedAnnotations extends Omit<ProjectAnnotations, 'tracks'> {
  tracks: PackedTracks;
}

export function packAnnotations({ tracks, ...rest }: ProjectAnnotations): PackedAnnotations {
  return { ...rest, tracks: packTracks(tracks) };
}

export function unpackAnnotations({ tracks, ...rest }: PackedAnnotations): ProjectAnnotations {
  return { ...rest, tracks: unpackTracks(tracks) };
}

/**
 * Shared by the shapes read or unpacked without attributes: 540,000 empty objects cost a tenth of a
 * second and their share of garbage collection. Frozen, so that changing one in place (nothing does:
 * edits give a shape new attributes) fails loudly.
 */
export const NO_ATTRIBUTES: Record<string, string> = Object.freeze({});

export function packTracks(tracks: readonly AnnotationTrack[]): PackedTracks {
  const count = tracks.reduce((sum, track) => sum + track.shapes.length, 0);
  const firstShape = new Uint32Array(tracks.length + 1);
  const frames = new Float64Array(count);
  const corners = new Float64Array(count * CORNERS);
  const zOrders = new Float64Array(count);
  const labels = new Float64Array(count);
  const flags = new Uint8Array(count);
  const labelNames: string[] = [];
  const labelIndex = new Map<string, number>();
  const rare: RareShapeFields[] = [];
  const trackExtras: Array<[number, FormatExtra]> = [];
  let at = 0;
  // Plain loops: this runs for every box of the project each time it is opened.
  tracks.forEach((track, t) => {
    firstShape[t] = at;
    if (track.extra) trackExtras.push([t, track.extra]);
    for (const shape of track.shapes) {
      frames[at] = shape.frame;
      const corner = at * CORNERS;
      corners[corner] = shape.xtl;
      corners[corner + 1] = shape.ytl;
      corners[corner + 2] = shape.xbr;
      corners[corner + 3] = shape.ybr;
      zOrders[at] = shape.zOrder;
      let label = labelIndex.get(shape.label);
      if (label === undefined) {
        label = labelNames.push(shape.label) - 1;
        labelIndex.set(shape.label, label);
      }
      labels[at] = label;
      flags[at] = shapeFlags(shape);
      const more = rareFields(shape, at);
      if (more) rare.push(more);
      at++;
    }
  });
  firstShape[tracks.length] = at;
  const hundredths = inHundredths(corners);
  return {
    ids: new Float64Array(tracks.map((track) => track.id)),
    firstShape,
    frames: inSteps(frames, 1, firstShape),
    boxes: hundredths ? { scale: HUNDREDTHS, hundredths: inSteps(hundredths, CORNERS, firstShape) } : { scale: 1, values: corners },
    zOrders: zOrders.some((z) => z !== 0) ? zOrders : new Float64Array(0),
    labels: narrowest(labels),
    labelNames,
    flags,
    rare,
    trackExtras,
  };
}

/** `values` times 100 when every one of them is a whole number of hundredths; null otherwise. */
function inHundredths(values: Float64Array): Float64Array | null {
  const scaled = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    scaled[i] = Math.round(values[i]! * HUNDREDTHS);
    if (scaled[i]! / HUNDREDTHS !== values[i] || !Number.isSafeInteger(scaled[i])) return null;
  }
  return scaled;
}

/** Whole `values` (`width` per shape) as steps within each track: exact, since they are whole numbers. */
function inSteps(values: Float64Array, width: number, firstShape: Uint32Array): Steps {
  const first = new Float64Array((firstShape.length - 1) * width);
  const steps = new Float64Array(values.length);
  for (let t = 0; t + 1 < firstShape.length; t++) {
    const start = firstShape[t]! * width;
    for (let k = 0; k < width && start < firstShape[t + 1]! * width; k++) first[t * width + k] = values[start + k]!;
    for (let i = start + width; i < firstShape[t + 1]! * width; i++) steps[i] = values[i]! - values[i - width]!;
  }
  return { first, steps: narrowest(steps) };
}

/** `values` in the smallest array that holds each of them exactly. */
function narrowest(values: Float64Array): WholeNumbers | Float64Array {
  let low = 0;
  let high = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isInteger(value)) return values;
    if (value < low) low = value;
    else if (value > high) high = value;
  }
  const types = [Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array];
  const type = types.find((candidate) => {
    const bits = candidate.BYTES_PER_ELEMENT * 8;
    const signed = candidate === Int8Array || candidate === Int16Array || candidate === Int32Array;
    return signed ? low >= -(2 ** (bits - 1)) && high < 2 ** (bits - 1) : low >= 0 && high < 2 ** bits;
  });
  return type ? new type(values) : values;
}

/** Walks `steps` track by track: after start(t) and next(s) for each of its shapes in turn, `current` holds shape s's values. */
function stepper({ first, steps }: Steps, width: number): { start(t: number): void; next(s: number): void; current: Float64Array } {
  const current = new Float64Array(width);
  return {
    current,
    start: (t) => current.set(first.subarray(t * width, t * width + width)),
    next: (s) => {
      for (let k = 0; k < width; k++) current[k]! += steps[s * width + k]!;
    },
  };
}

export function unpackTracks(packed: PackedTracks): AnnotationTrack[] {
  const rare = new Map(packed.rare.map((fields) => [fields.shape, fields]));
  const extras = new Map(packed.trackExtras);
  const { boxes, zOrders, flags, labels, labelNames } = packed;
  const frame = stepper(packed.frames, 1);
  const hundredths = boxes.scale === HUNDREDTHS ? stepper(boxes.hundredths, CORNERS) : null;
  const values = boxes.scale === 1 ? boxes.values : null;
  const corner = new Float64Array(CORNERS);
  return Array.from(packed.ids, (id, t) => {
    const shapes: Shape[] = [];
    frame.start(t);
    hundredths?.start(t);
    for (let s = packed.firstShape[t]!; s < packed.firstShape[t + 1]!; s++) {
      frame.next(s);
      if (hundredths) {
        hundredths.next(s);
        for (let k = 0; k < CORNERS; k++) corner[k] = hundredths.current[k]! / HUNDREDTHS;
      } else corner.set(values!.subarray(s * CORNERS, (s + 1) * CORNERS));
      const bits = flags[s]!;
      const more = rare.get(s);
      const shape: Shape = {
        frame: frame.current[0]!,
        xtl: corner[0]!,
        ytl: corner[1]!,
        xbr: corner[2]!,
        ybr: corner[3]!,
        label: labelNames[labels[s]!]!,
        occluded: (bits & OCCLUDED) !== 0,
        outside: (bits & OUTSIDE) !== 0,
        zOrder: zOrders[s] ?? 0,
        attributes: NO_ATTRIBUTES,
      };
      if (bits & HAS_TRUNCATED) shape.truncated = (bits & TRUNCATED) !== 0;
      if (bits & HAS_DIFFICULT) shape.difficult = (bits & DIFFICULT) !== 0;
      if (more) addRareFields(shape, more);
      shapes.push(shape);
    }
    const extra = extras.get(t);
    return extra ? { id, shapes, extra } : { id, shapes };
  });
}

function shapeFlags(shape: Shape): number {
  let bits = (shape.occluded ? OCCLUDED : 0) | (shape.outside ? OUTSIDE : 0);
  if (shape.truncated !== undefined) bits |= HAS_TRUNCATED | (shape.truncated ? TRUNCATED : 0);
  if (shape.difficult !== undefined) bits |= HAS_DIFFICULT | (shape.difficult ? DIFFICULT : 0);
  return bits;
}

/** What `shape` (the index-th) has beyond the columns, or null: most shapes have nothing more. */
function rareFields(shape: Shape, index: number): RareShapeFields | null {
  const hasAttributes = !isEmpty(shape.attributes);
  if (!hasAttributes && shape.pose === undefined && !shape.extra) return null;
  return {
    shape: index,
    ...(hasAttributes && { attributes: shape.attributes }),
    ...(shape.pose !== undefined && { pose: shape.pose }),
    ...(shape.extra && { extra: shape.extra }),
  };
}

export function addRareFields(shape: Shape, { attributes, pose, extra }: RareShapeFields): void {
  if (attributes) shape.attributes = attributes;
  if (pose !== undefined) shape.pose = pose;
  if (extra) shape.extra = extra;
}

/** Whether `object` has no keys, found without allocating their list (as Object.keys would, for every shape). */
export function isEmpty(object: object): boolean {
  for (const _key in object) return false;
  return true;
}
