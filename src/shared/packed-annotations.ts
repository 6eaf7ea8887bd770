// The project's annotations as a few typed arrays instead of one object per box: what crosses to the
// window. An hour of boxes is 540,000 shapes; as JSON objects that is 75 MB that Chromium takes seconds
// to receive and parse, packed it is 14 MB and no parsing (typed arrays pass through Electron's
// structured clone and the WebSocket bridge's binary frames as they are).

import type { AnnotationTrack, FormatExtra, ProjectAnnotations, Shape } from './annotations';

/** Numbers per box in `boxes`: xtl, ytl, xbr, ybr. */
const CORNERS = 4;
/** Boxes whose corners are all whole hundredths (CVAT writes two decimals) are sent as those, in 4 bytes instead of 8. */
const HUNDREDTHS = 100;

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
  frames: Uint32Array;
  /** xtl, ytl, xbr, ybr of every shape, one after the other, times boxScale. */
  boxes: Int32Array | Float64Array;
  boxScale: 1 | typeof HUNDREDTHS;
  /** Empty when every shape's is 0, as it nearly always is. */
  zOrders: Float64Array;
  /** Each shape's label, as an index into labelNames. */
  labels: Uint32Array;
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
 * Shared by the unpacked shapes that have none: 540,000 empty objects cost the window a tenth of a
 * second. Frozen, so that changing one in place (nothing should: tracks are replaced) fails loudly.
 */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({});

export function packTracks(tracks: readonly AnnotationTrack[]): PackedTracks {
  const count = tracks.reduce((sum, track) => sum + track.shapes.length, 0);
  const corners = new Float64Array(count * CORNERS);
  const zOrders = new Float64Array(count);
  const frames = new Uint32Array(count);
  const labels = new Uint32Array(count);
  const flags = new Uint8Array(count);
  const labelNames: string[] = [];
  const rare: RareShapeFields[] = [];
  const packed: PackedTracks = {
    ids: new Float64Array(tracks.length),
    firstShape: new Uint32Array(tracks.length + 1),
    frames,
    boxes: corners,
    boxScale: 1,
    zOrders,
    labels,
    labelNames,
    flags,
    rare,
    trackExtras: [],
  };
  const labelIndex = new Map<string, number>();
  let at = 0;
  // Plain loops: this runs for every box of the project each time it is opened.
  tracks.forEach((track, t) => {
    packed.ids[t] = track.id;
    packed.firstShape[t] = at;
    if (track.extra) packed.trackExtras.push([t, track.extra]);
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
  packed.firstShape[tracks.length] = at;
  const hundredths = inHundredths(corners);
  if (hundredths) Object.assign(packed, { boxes: hundredths, boxScale: HUNDREDTHS });
  if (zOrders.every((z) => z === 0)) packed.zOrders = new Float64Array(0);
  return packed;
}

/** `values` times 100 when every one of them is a whole number of hundredths that fits; null otherwise. */
function inHundredths(values: Float64Array): Int32Array | null {
  const scaled = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const whole = Math.round(values[i]! * HUNDREDTHS);
    if (whole / HUNDREDTHS !== values[i] || Math.abs(whole) > 2 ** 31 - 1) return null;
    scaled[i] = whole;
  }
  return scaled;
}

export function unpackTracks(packed: PackedTracks): AnnotationTrack[] {
  const rare = new Map(packed.rare.map((fields) => [fields.shape, fields]));
  const extras = new Map(packed.trackExtras);
  const { frames, boxes, boxScale, zOrders, flags, labels, labelNames } = packed;
  return Array.from(packed.ids, (id, t) => {
    const shapes: Shape[] = [];
    for (let s = packed.firstShape[t]!; s < packed.firstShape[t + 1]!; s++) {
      const box = s * CORNERS;
      const bits = flags[s]!;
      const more = rare.get(s);
      const shape: Shape = {
        frame: frames[s]!,
        xtl: boxes[box]! / boxScale,
        ytl: boxes[box + 1]! / boxScale,
        xbr: boxes[box + 2]! / boxScale,
        ybr: boxes[box + 3]! / boxScale,
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
export function rareFields(shape: Shape, index: number): RareShapeFields | null {
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

/** Without allocating the list of keys, as Object.keys would for every shape. */
function isEmpty(object: object): boolean {
  for (const _key in object) return false;
  return true;
}
