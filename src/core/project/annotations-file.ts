// annotations.json as it is on disk. Schema 2 writes each track as columns (a list of frames, one of
// xtl, ...) rather than a list of shape objects: an hour of boxes is then 24 MB instead of 76 MB, and is
// parsed and checked in a fraction of the time. Schema 1 files, and tracks written as shape lists (older
// journals), are still read.

import type { AnnotationTrack, FormatExtra, ProjectAnnotations, Shape } from '../../shared/annotations';
import { ANNOTATIONS_SCHEMA, annotationTrackSchema, projectAnnotationsSchema, shapeSchema } from '../../shared/annotations';
import { WorkbenchError } from '../../shared/errors';
import { frameSize } from '../../shared/frame-sizes';
import { MAX_FRAMES, MAX_LABEL_LENGTH, labelName } from '../../shared/project';
import { fields, list, read, v, whole } from '../../shared/schema';
import { NO_ATTRIBUTES, addRareFields, isEmpty } from '../../shared/packed-annotations';
import { parseJsonFile } from '../fs/json-file';

/** A file schema 1 wrote: tracks as lists of shapes. */
const SHAPE_LISTS_SCHEMA = 1;

/** The journal's lines, and its file (for messages). */
interface Journal {
  lines: unknown[];
  file: string;
}

/** One line of the journal: the tracks one save changed, as they are after it, and the ids it removed. */
const journalLineSchema = fields({ tracks: list(v.unknown()), removed: list(whole(0, Number.MAX_SAFE_INTEGER, 'a track id')) });

/** A shape's booleans in columns: 0 or 1, and null where an optional one is not set. */
type Bit = 0 | 1;

/** A track as schema 2 writes it: one list per field, shape i being the i-th entry of each. */
interface TrackColumns {
  id: number;
  frame: number[];
  xtl: number[];
  ytl: number[];
  xbr: number[];
  ybr: number[];
  label: string[];
  occluded: Bit[];
  outside: Bit[];
  zOrder: number[];
  /** Present when a shape has it; null for the shapes that do not. */
  truncated?: Array<Bit | null>;
  difficult?: Array<Bit | null>;
  /** Pascal VOC's pose. */
  pose?: Array<string | null>;
  /** What few shapes have, by index: named attributes, an import's extras. */
  more?: ShapeMore[];
  extra?: FormatExtra;
}

const shapeMoreSchema = v.object(
  {
    shape: whole(0, MAX_FRAMES - 1, 'the index of a shape of this track'),
    attributes: v.optional(shapeSchema.entries.attributes),
    extra: shapeSchema.entries.extra,
  },
  'an object',
);

type ShapeMore = v.InferOutput<typeof shapeMoreSchema>;

const trackFieldsSchema = v.object(
  { id: annotationTrackSchema.entries.id, more: v.optional(list(shapeMoreSchema)), extra: annotationTrackSchema.entries.extra },
  'an object',
);

/** The file's fields around the tracks, which are read one by one (as columns or as shape lists). */
const fileSchema = v.object(
  {
    ...projectAnnotationsSchema.entries,
    schema: v.picklist([SHAPE_LISTS_SCHEMA, ANNOTATIONS_SCHEMA], `schema ${SHAPE_LISTS_SCHEMA} or ${ANNOTATIONS_SCHEMA}`),
    tracks: list(v.record(v.string(), v.unknown(), 'an object')),
  },
  'an object',
);

/** annotations.json's text for `annotations`. */
export function annotationsFileText(annotations: ProjectAnnotations): string {
  return JSON.stringify({ ...annotations, schema: ANNOTATIONS_SCHEMA, tracks: annotations.tracks.map(trackColumns) });
}

/** One line of the journal: `tracks` as they are now, and the ids of the tracks that are gone. */
export function journalLine(tracks: AnnotationTrack[], removed: number[]): string {
  return `${JSON.stringify({ tracks: tracks.map(trackColumns), removed })}\n`;
}

function trackColumns({ id, shapes, extra }: AnnotationTrack): TrackColumns {
  const columns: TrackColumns = {
    id,
    frame: [],
    xtl: [],
    ytl: [],
    xbr: [],
    ybr: [],
    label: [],
    occluded: [],
    outside: [],
    zOrder: [],
  };
  const truncated: Array<Bit | null> = [];
  const difficult: Array<Bit | null> = [];
  const pose: Array<string | null> = [];
  const more: ShapeMore[] = [];
  // One pass, no copies: a save writes every keyframe of the project.
  shapes.forEach((shape, s) => {
    columns.frame.push(shape.frame);
    columns.xtl.push(shape.xtl);
    columns.ytl.push(shape.ytl);
    columns.xbr.push(shape.xbr);
    columns.ybr.push(shape.ybr);
    columns.label.push(shape.label);
    columns.occluded.push(shape.occluded ? 1 : 0);
    columns.outside.push(shape.outside ? 1 : 0);
    columns.zOrder.push(shape.zOrder);
    truncated.push(shape.truncated === undefined ? null : shape.truncated ? 1 : 0);
    difficult.push(shape.difficult === undefined ? null : shape.difficult ? 1 : 0);
    pose.push(shape.pose ?? null);
    const hasAttributes = !isEmpty(shape.attributes);
    if (hasAttributes || shape.extra)
      more.push({ shape: s, ...(hasAttributes && { attributes: shape.attributes }), ...(shape.extra && { extra: shape.extra }) });
  });
  // The optional columns are written only when a keyframe has a value: VOC imports have all three.
  const anySet = (values: unknown[]) => values.some((value) => value !== null);
  return {
    ...columns,
    ...(anySet(truncated) && { truncated }),
    ...(anySet(difficult) && { difficult }),
    ...(anySet(pose) && { pose }),
    ...(more.length > 0 && { more }),
    ...(extra && { extra }),
  };
}

/**
 * Reads annotations.json, checking its shape and what spans fields (frames in order and in the clip, boxes
 * inside the frame, ids used once); problems name the file and the field. An import runs the same check on
 * what it is about to write, so that what it writes opens.
 */
export function parseAnnotations(text: string, file: string, journal?: Journal): ProjectAnnotations {
  const value = journal ? withJournal(parseJsonFile(text, file), journal) : parseJsonFile(text, file);
  const schema = (value as { schema?: unknown } | null)?.schema;
  if (schema !== ANNOTATIONS_SCHEMA && schema !== SHAPE_LISTS_SCHEMA)
    throw new WorkbenchError(
      'invalid-project',
      `${file} has schema ${JSON.stringify(schema)}; this Maskbench reads schemas ${SHAPE_LISTS_SCHEMA} and ${ANNOTATIONS_SCHEMA}`,
      { file, field: 'schema' },
    );
  const checked = read(fileSchema, value, { file, code: 'invalid-project' });
  const fail = failIn(file);
  const asColumns = checked.tracks.map((track) => !('shapes' in track));
  const annotations: ProjectAnnotations = {
    ...checked,
    schema: ANNOTATIONS_SCHEMA,
    tracks: checked.tracks.map((track, t) =>
      asColumns[t] ? readColumns(track, `tracks[${t}]`, file) : read(annotationTrackSchema, track, { file, field: `tracks[${t}]`, code: 'invalid-project' }),
    ),
  };
  const { frameCount } = annotations;
  if (annotations.frameNames.length !== frameCount) fail('frameNames', `a list of ${frameCount} names`, `${annotations.frameNames.length} names`);
  if (annotations.frameSizes && annotations.frameSizes.length !== frameCount)
    fail('frameSizes', `a list of ${frameCount} sizes, one per frame`, `${annotations.frameSizes.length} sizes`);
  const ids = new Set<number>();
  annotations.tracks.forEach((track, t) => {
    if (ids.has(track.id)) fail(`tracks[${t}].id`, 'a whole number used by no other track', track.id);
    ids.add(track.id);
    let previous = -1;
    const field = (s: number, name: string) => (asColumns[t] ? `tracks[${t}].${name}[${s}]` : `tracks[${t}].shapes[${s}].${name}`);
    track.shapes.forEach((shape, s) => {
      if (shape.frame <= previous || shape.frame >= frameCount)
        fail(field(s, 'frame'), `a frame after the previous keyframe's and below ${frameCount}`, shape.frame);
      previous = shape.frame;
      // An outside keyframe is drawn nowhere: it keeps the box the track had on the frame before, where it
      // left the view, so that box's frame is its measure (a photo's box ends on the next, smaller photo).
      const measure = shape.outside && shape.frame > 0 ? shape.frame - 1 : shape.frame;
      const { width, height } = frameSize(annotations, measure);
      // Imports clip boxes to the frame; one a little outside (an older import, a hand edit) still opens,
      // but one further out than a frame's size was made by a fault and would export as nonsense. The
      // message names the box as the annotator shows it, with its image, not only the column.
      const corner = (name: string, expected: string, got: number) =>
        fail(field(s, name), expected, got, `track ${track.id}'s box on frame ${measure}, ${annotations.frameNames[measure]}, ${width}x${height}`);
      if (shape.xtl < -width) corner('xtl', `at least -${width} (a frame's width left of it)`, shape.xtl);
      if (shape.ytl < -height) corner('ytl', `at least -${height} (a frame's height above it)`, shape.ytl);
      if (shape.xbr <= shape.xtl || shape.xbr > 2 * width) corner('xbr', `above xtl (${shape.xtl}) and at most ${2 * width}`, shape.xbr);
      if (shape.ybr <= shape.ytl || shape.ybr > 2 * height) corner('ybr', `above ytl (${shape.ytl}) and at most ${2 * height}`, shape.ybr);
    });
  });
  return annotations;
}

/** Fails naming the file and field, and what the field belongs to where a column's index does not say it (`about`). */
function failIn(file: string) {
  return (field: string, expected: string, got: string | number, about?: string): never => {
    const what = about ? `"${field}" (${about})` : `"${field}"`;
    throw new WorkbenchError('invalid-project', `${file}: ${what} must be ${expected}, got ${got}`, { file, field });
  };
}

/** A track written as columns, checked column by column with plain loops: 540,000 shapes through a schema per shape took a second. */
function readColumns(value: Record<string, unknown>, at: string, file: string): AnnotationTrack {
  const fail = failIn(file);
  const { id, more, extra } = read(trackFieldsSchema, value, { file, field: at, code: 'invalid-project' });
  const frames = value.frame;
  if (!Array.isArray(frames) || frames.length === 0) fail(`${at}.frame`, 'a non-empty list of frame numbers', describeList(frames));
  const count = (frames as unknown[]).length;
  const column = <T>(name: string, expected: string, valid: (item: unknown) => item is T, optional = false): T[] | undefined => {
    const items = value[name];
    if (items === undefined && optional) return undefined;
    if (!Array.isArray(items) || items.length !== count) fail(`${at}.${name}`, `a list of ${count} entries, one per frame`, describeList(items));
    (items as unknown[]).forEach((item, index) => valid(item) || fail(`${at}.${name}[${index}]`, expected, JSON.stringify(item) ?? 'nothing'));
    return items as T[];
  };
  const isNumber = (item: unknown): item is number => typeof item === 'number' && Number.isFinite(item);
  const isBit = (item: unknown): item is Bit => item === 0 || item === 1;
  const checkedLabels = new Set<unknown>();
  const isLabel = (item: unknown): item is string => checkedLabels.has(item) || (v.is(labelName, item) && checkedLabels.add(item).size > 0);
  const frame = column(
    'frame',
    `a frame number from 0 to ${MAX_FRAMES - 1}`,
    (item): item is number => Number.isInteger(item) && (item as number) >= 0 && (item as number) < MAX_FRAMES,
  )!;
  const [xtl, ytl, xbr, ybr, zOrder] = (['xtl', 'ytl', 'xbr', 'ybr', 'zOrder'] as const).map((name) => column(name, 'a number', isNumber)!);
  const label = column('label', `a label name (a non-empty string of at most ${MAX_LABEL_LENGTH} characters)`, isLabel)!;
  const occluded = column('occluded', '0 or 1', isBit)!;
  const outside = column('outside', '0 or 1', isBit)!;
  const truncated = column('truncated', '0, 1 or null', (item): item is Bit | null => item === null || isBit(item), true);
  const difficult = column('difficult', '0, 1 or null', (item): item is Bit | null => item === null || isBit(item), true);
  const pose = column('pose', 'a string or null', (item): item is string | null => item === null || typeof item === 'string', true);
  const shapes = frame.map((f, s): Shape => ({
    frame: f,
    xtl: xtl![s]!,
    ytl: ytl![s]!,
    xbr: xbr![s]!,
    ybr: ybr![s]!,
    label: label[s]!,
    occluded: occluded[s] === 1,
    outside: outside[s] === 1,
    zOrder: zOrder![s]!,
    attributes: NO_ATTRIBUTES,
  }));
  truncated?.forEach((bit, s) => bit !== null && (shapes[s]!.truncated = bit === 1));
  difficult?.forEach((bit, s) => bit !== null && (shapes[s]!.difficult = bit === 1));
  pose?.forEach((name, s) => name !== null && (shapes[s]!.pose = name));
  more?.forEach((fields, m) =>
    addRareFields(shapes[fields.shape] ?? fail(`${at}.more[${m}].shape`, `the index of one of this track's ${count} shapes`, fields.shape), fields),
  );
  return extra ? { id, shapes, extra } : { id, shapes };
}

function describeList(value: unknown): string {
  return Array.isArray(value) ? `${value.length} entries` : (JSON.stringify(value) ?? 'nothing');
}

/**
 * annotations.json's value with the journal's lines applied in order: each line's tracks replace the
 * tracks of the same id, and its removed ids go. Tracks come out by id, as undo leaves them in memory.
 * The result is checked as a whole afterwards, as if the file held it.
 */
function withJournal(value: unknown, journal: Journal): unknown {
  const tracks = (value as { tracks?: unknown } | null)?.tracks;
  if (journal.lines.length === 0 || !Array.isArray(tracks)) return value;
  const byId = new Map<unknown, unknown>(tracks.map((track: unknown) => [idOf(track), track]));
  journal.lines.forEach((entry, index) => {
    const line = read(journalLineSchema, entry, { file: journal.file, field: `line ${index + 1}`, code: 'invalid-project' });
    for (const id of line.removed) byId.delete(id);
    for (const track of line.tracks) byId.set(idOf(track), track);
  });
  return { ...(value as object), tracks: [...byId.values()].sort((a, b) => Number(idOf(a)) - Number(idOf(b))) };
}

/** A track's id as the file has it, before it is checked. */
function idOf(track: unknown): unknown {
  return (track as { id?: unknown } | null)?.id;
}
