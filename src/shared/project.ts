// The project folder's settings file (project.json), as the core reads it and the window shows it.

import { fields, text, v, type Output } from './schema';

export const PROJECT_SCHEMA = 1;

/** The longest label name: a label is written into every box of every export. */
export const MAX_LABEL_LENGTH = 256;

const labelExpected = `a non-empty string of at most ${MAX_LABEL_LENGTH} characters`;
/** A label's name, as annotations.json and project.json hold it. */
export const labelName = v.pipe(text(labelExpected), v.maxLength(MAX_LABEL_LENGTH, labelExpected));

export const labelSchema = fields({
  name: labelName,
  description: v.string('a string'),
  /** CSS colour; the UI never relies on it alone (the name is drawn too). */
  color: text(),
  /** The key that sets this label on the selected box. */
  key: v.string('a string'),
});

export type LabelDef = Output<typeof labelSchema>;

/** The study's classes, in colour-blind-safe colours (UI.md). */
export const DEFAULT_LABELS: readonly LabelDef[] = [
  { name: 'MW', description: 'mask worn', color: '#3fb950', key: '1' },
  { name: 'NM', description: 'no mask', color: '#ff7043', key: '2' },
  { name: 'ND', description: 'face not detectable', color: '#7f9cc0', key: '3' },
];

/** Common names in public data sets, mapped on import (the user can edit the mapping). */
export const DEFAULT_LABEL_MAPPING: Readonly<Record<string, string>> = {
  with_mask: 'MW',
  mask: 'MW',
  mask_weared_incorrect: 'NM',
  without_mask: 'NM',
  no_mask: 'NM',
  nomask: 'NM',
  not_detectable: 'ND',
  unknown: 'ND',
};

/**
 * The most frames a project holds (over 22 hours at 25 fps): frame numbers read from files are checked
 * against this (or the project's own frame count) before anything is made per frame.
 */
export const MAX_FRAMES = 2_000_000;
/** The widest or highest frame, in pixels. */
export const MAX_FRAME_SIDE = 100_000;

const positive = (expected: string) => v.pipe(v.number(expected), v.finite(expected), v.gtValue(0, expected));
const positiveWhole = (max: number) => {
  const expected = `a whole number above 0, at most ${max}`;
  return v.pipe(positive(expected), v.integer(expected), v.maxValue(max, expected));
};

export const mediaSettingsSchema = fields({
  kind: v.picklist(['video', 'frames'], '"video" or "frames"'),
  /**
   * Relative to the project folder: the video file, or the folder of frames; inside the folder when it was
   * copied there, or a relative path out of it ("../videos/campus.mp4") when it is referenced where it is.
   */
  path: text('a path relative to the project folder'),
  fps: positive('a number above 0'),
  frameCount: positiveWhole(MAX_FRAMES),
  width: positiveWhole(MAX_FRAME_SIDE),
  height: positiveWhole(MAX_FRAME_SIDE),
});

export type MediaSettings = Output<typeof mediaSettingsSchema>;

/** project.json: its shape, declared once; core adds the checks that need the folder or several fields. */
export const projectSettingsSchema = fields({
  schema: v.literal(PROJECT_SCHEMA, `schema ${PROJECT_SCHEMA}`),
  name: text(),
  media: v.optional(v.nullable(mediaSettingsSchema), null),
  labels: v.pipe(v.array(labelSchema, 'a non-empty list'), v.minLength(1, 'a non-empty list')),
  labelMapping: v.optional(v.record(v.string(), v.string("the name of one of the project's labels"), 'an object'), {}),
});

export type ProjectSettings = Output<typeof projectSettingsSchema>;

export interface ProjectSummary {
  /** Absolute path of the project folder. */
  path: string;
  name: string;
  /** Its project.json; null for a plain folder that has none yet. */
  settings: ProjectSettings | null;
  /** Where its video or frame folder should be but is not (moved, renamed, or on a disk not mounted); null when it is there or none is set. */
  missingMedia: string | null;
  /** The video re-encoded for the window to seek in (absolute path), when one was made from the video as it is now; see core/project/editing-proxy. */
  editingProxy: string | null;
}

/**
 * Where the fragments of an editing proxy lie (a fragmented MP4: a header, then one fragment per keyframe),
 * so that the window can fetch just the frames it is asked for. Fragment i holds frames
 * i * framesPerFragment onwards, and runs to the next fragment's offset (the last one to `end`).
 */
export interface FragmentIndex {
  /** For MediaSource: "avc1.64001f". */
  codec: string;
  /** Bytes of the header (ftyp and moov) at the start of the file. */
  header: number;
  /** Byte offset of each fragment. */
  fragments: number[];
  end: number;
  framesPerFragment: number;
}

/** How a new project (or a relink) holds its video or frames: a copy in the project folder, or a reference to where they are. */
export const MEDIA_KEEPS = ['copy', 'reference'] as const;
export type MediaKeep = (typeof MEDIA_KEEPS)[number];

export interface RecentProject {
  path: string;
  name: string;
  openedAt: string;
  /** False when the folder has been moved or deleted since. */
  exists: boolean;
}
