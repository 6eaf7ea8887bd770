import type { AnnotationFormat, AnnotationTrack, FrameSize, ProjectAnnotations, TrackBox } from '../../../shared/annotations';
import { withinFrame } from '../../../shared/overlap';
import { MAX_FRAME_SIDE, MAX_LABEL_LENGTH } from '../../../shared/project';
import type { ProblemList } from '../problems';

type Where = { file: string; line?: number };

/** A box of a per-frame format, with the person's id when the file carries one (`track_id`). */
export interface ReadBox {
  trackId: number | null;
  box: TrackBox;
  /** Where it was read, for problems found later (linking, label mapping). */
  file: string;
  line?: number;
}

/** What a reader found, before labels are mapped and boxes linked into tracks. */
export interface ReadResult {
  format: AnnotationFormat;
  /** The first frame's size; every frame's, unless frameSizes gives each its own. */
  width: number;
  height: number;
  frameSizes?: FrameSize[];
  frameCount: number;
  frameNames: string[];
  /** Tracks with identities (CVAT for video). */
  tracks: AnnotationTrack[];
  /** Boxes listed frame by frame (Pascal VOC, CVAT for images). */
  readBoxes: ReadBox[];
  /** Where each label of `tracks` is first used, for problems found later (readBoxes carry their own place). */
  trackLabelsAt?: Map<string, Where>;
  extra?: ProjectAnnotations['extra'];
  problems: ProblemList;
}

/** Reads a number attribute or element; NaN when it is not one. */
export function number(value: string): number {
  return value.trim() === '' ? Number.NaN : Number(value);
}

/** A value from a file as a message shows it: cut short, since a file can hold anything. */
export function shown(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}...` : value;
}

/**
 * A frame count from a file's header, or undefined when it gives none. Absent and 0 (what some tools
 * write for unknown) give none quietly; anything else that is not a whole number from 1 to `max` is
 * reported, and gives none.
 */
export function headerNumber(value: string, max: number, what: string, problems: ProblemList, where: Where): number | undefined {
  return unknown(value) ? undefined : wholeNumber(value, max, what, problems, where);
}

/**
 * A frame size from a file's header (`what` names it: "the <size>"), or undefined when it gives none.
 * Both sides absent or 0 give none quietly, as headerNumber; a size with one side given reports the other.
 */
export function headerSize(width: string, height: string, what: string, problems: ProblemList, where: Where): FrameSize | undefined {
  if (unknown(width) && unknown(height)) return undefined;
  const side = (value: string, name: string) => {
    if (value.trim() !== '') return wholeNumber(value, MAX_FRAME_SIDE, `${what} ${name}`, problems, where);
    problems.error(`${what} has no ${name}; it is not used`, where, `bad-${what}`);
    return undefined;
  };
  const read = { width: side(width, 'width'), height: side(height, 'height') };
  return read.width && read.height ? { width: read.width, height: read.height } : undefined;
}

/** What some tools write for a size or count they do not know. */
function unknown(value: string): boolean {
  return value.trim() === '' || number(value) === 0;
}

function wholeNumber(value: string, max: number, what: string, problems: ProblemList, where: Where): number | undefined {
  const read = number(value);
  if (Number.isInteger(read) && read >= 1 && read <= max) return read;
  problems.error(`${what} "${shown(value)}" is not a whole number from 1 to ${max}; it is not used`, where, `bad-${what}`);
  return undefined;
}

/** Whether a box's label can be kept: not empty, and not longer than a project's label may be. */
export function checkLabel(label: string, problems: ProblemList, where: Where): boolean {
  if (label === '') problems.error('a box has no label; it is skipped', where, 'no-label');
  else if (label.length > MAX_LABEL_LENGTH)
    problems.error(`the label "${shown(label)}" is longer than ${MAX_LABEL_LENGTH} characters; the box is skipped`, where, 'long-label');
  return label !== '' && label.length <= MAX_LABEL_LENGTH;
}

/** A person's id as a file gives it (`track_id`), or null when it gives none; one that is not a whole number Maskbench can hold is reported. */
export function trackIdOf(value: string | undefined, problems: ProblemList, where: Where, instead: string): number | null {
  if (value === undefined) return null;
  const id = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  // Above 2^53 - 1 two different ids can read as one number.
  if (Number.isSafeInteger(id)) return id;
  problems.warning(`track_id "${shown(value)}" is not a whole number from 0 to ${Number.MAX_SAFE_INTEGER}; ${instead}`, where, 'bad-track-id');
  return null;
}

/** A CVAT flag (`outside`, `occluded`, `keyframe`): 1 or 0, false when absent; any other value is reported and taken as 0. */
export function flagOf(a: Record<string, string>, name: string, problems: ProblemList, where: Where): boolean {
  const value = a[name];
  if (value === undefined || value === '0' || value === '1') return value === '1';
  problems.warning(`${name}="${shown(value)}" is neither 0 nor 1; 0 is used`, where, 'bad-flag');
  return false;
}

/** A box's z_order (drawing order), 0 when absent; one that is not a number is reported and taken as 0. */
export function zOrderOf(value: string | undefined, problems: ProblemList, where: Where): number {
  if (value === undefined) return 0;
  const z = number(value);
  if (Number.isFinite(z)) return z;
  problems.warning(`z_order "${shown(value)}" is not a number; 0 is used`, where, 'bad-z-order');
  return 0;
}

/** A box's four corners, as read from a file or as numbers. */
type Corners<T> = { xtl: T; ytl: T; xbr: T; ybr: T };

/** How each corner is named: by VOC's <bndbox> elements, or CVAT's <box> attributes. */
const CORNER_NAMES = {
  voc: { xtl: 'xmin', ytl: 'ymin', xbr: 'xmax', ybr: 'ymax' },
  cvat: { xtl: 'xtl', ytl: 'ytl', xbr: 'xbr', ybr: 'ybr' },
} as const;

/** The corners as numbers, or null when one is missing or not a number (reported, named as the file names it). */
function readCorners(given: Corners<string | undefined>, format: 'voc' | 'cvat', problems: ProblemList, where: Where): Corners<number> | null {
  for (const corner of ['xtl', 'ytl', 'xbr', 'ybr'] as const) {
    const value = given[corner];
    if (value !== undefined && Number.isFinite(number(value))) continue;
    const name = CORNER_NAMES[format][corner];
    const what =
      format === 'voc'
        ? value === undefined
          ? `<${name}> is missing`
          : value.trim() === ''
            ? `<${name}> is empty`
            : `<${name}>${shown(value)}</${name}> is not a number`
        : value === undefined
          ? `the box has no ${name} attribute`
          : `${name}="${shown(value)}" is not a number`;
    problems.error(`${what}; the box is skipped`, where, 'bad-number');
    return null;
  }
  return { xtl: number(given.xtl!), ytl: number(given.ytl!), xbr: number(given.xbr!), ybr: number(given.ybr!) };
}

/**
 * Checks a box against the frame: refuses one with a missing or unreadable corner, one that is empty or
 * wholly outside, and clips one that sticks out. `format` says how the file names the corners.
 */
export function checkBox(
  given: Corners<string | undefined>,
  format: 'voc' | 'cvat',
  width: number,
  height: number,
  problems: ProblemList,
  where: Where,
): Corners<number> | null {
  const box = readCorners(given, format, problems, where);
  if (!box) return null;
  const values = [box.xtl, box.ytl, box.xbr, box.ybr];
  if (box.xbr <= box.xtl || box.ybr <= box.ytl) {
    problems.error(`the box has ${box.xbr <= box.xtl ? 'xmax <= xmin' : 'ymax <= ymin'} (${values.join(', ')}); it is skipped`, where, 'empty-box');
    return null;
  }
  if (box.xbr <= 0 || box.ybr <= 0 || box.xtl >= width || box.ytl >= height) {
    problems.error(`the box (${values.join(', ')}) lies wholly outside the ${width}x${height} frame; it is skipped`, where, 'outside-box');
    return null;
  }
  // Annotation tools round; a pixel over the edge is not worth a word.
  const tolerance = 1;
  if (box.xtl < -tolerance || box.ytl < -tolerance || box.xbr > width + tolerance || box.ybr > height + tolerance) {
    problems.warning(`the box (${values.join(', ')}) sticks out of the ${width}x${height} frame; it is clipped to it`, where, 'clipped-box');
  }
  return withinFrame(box, width, height);
}
