// The project's annotations as a few typed arrays instead of one object per box: what crosses to the
// window. An hour of boxes is 540,000 shapes; as JSON objects that is 75 MB that Chromium takes seconds
// to receive and parse, as columns it is a fifth of the size and no parsing (typed arrays pass through
// Electron's structured clone and the WebSocket bridge's binary frames as they are).

import type { AnnotationTrack, FormatExtra, ProjectAnnotations, Shape } from './annotations';

/** Numbers per shape in `numbers`, in this order. */
export const SHAPE_NUMBERS = ['frame', 'xtl', 'ytl', 'xbr', 'ybr', 'zOrder'] as const;
const STRIDE = SHAPE_NUMBERS.length;

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
  /** SHAPE_NUMBERS for every shape, one after the other. */
  numbers: Float64Array;
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

export function packTracks(tracks: readonly AnnotationTrack[]): PackedTracks {
  const count = tracks.reduce((sum, track) => sum + track.shapes.length, 0);
  const packed: PackedTracks = {
    ids: new Float64Array(tracks.length),
    firstShape: new Uint32Array(tracks.length + 1),
    numbers: new Float64Array(count * STRIDE),
    labels: new Uint32Array(count),
    labelNames: [],
    flags: new Uint8Array(count),
    rare: [],
    trackExtras: [],
  };
  const labelIndex = new Map<string, number>();
  let at = 0;
  tracks.forEach((track, t) => {
    packed.ids[t] = track.id;
    packed.firstShape[t] = at;
    if (track.extra) packed.trackExtras.push([t, track.extra]);
    for (const shape of track.shapes) {
      const base = at * STRIDE;
      SHAPE_NUMBERS.forEach((name, i) => (packed.numbers[base + i] = shape[name]));
      let label = labelIndex.get(shape.label);
      if (label === undefined) {
        label = packed.labelNames.push(shape.label) - 1;
        labelIndex.set(shape.label, label);
      }
      packed.labels[at] = label;
      packed.flags[at] = shapeFlags(shape);
      const rare = rareFields(shape, at);
      if (rare) packed.rare.push(rare);
      at++;
    }
  });
  packed.firstShape[tracks.length] = at;
  return packed;
}

export function unpackTracks(packed: PackedTracks): AnnotationTrack[] {
  const rare = new Map(packed.rare.map((fields) => [fields.shape, fields]));
  const extras = new Map(packed.trackExtras);
  const { numbers, flags, labels, labelNames } = packed;
  return Array.from(packed.ids, (id, t) => {
    const shapes: Shape[] = [];
    for (let s = packed.firstShape[t]!; s < packed.firstShape[t + 1]!; s++) {
      const base = s * STRIDE;
      const bits = flags[s]!;
      const more = rare.get(s);
      const shape: Shape = {
        frame: numbers[base]!,
        xtl: numbers[base + 1]!,
        ytl: numbers[base + 2]!,
        xbr: numbers[base + 3]!,
        ybr: numbers[base + 4]!,
        label: labelNames[labels[s]!]!,
        occluded: (bits & OCCLUDED) !== 0,
        outside: (bits & OUTSIDE) !== 0,
        zOrder: numbers[base + 5]!,
        attributes: {},
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
  const hasAttributes = Object.keys(shape.attributes).length > 0;
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
