// The project folder's settings file (project.json), as the core reads it and the window shows it.

export const PROJECT_FILE = 'project.json';
export const PROJECT_SCHEMA = 1;

export interface LabelDef {
  name: string;
  description: string;
  /** CSS colour; the UI never relies on it alone (the name is drawn too). */
  color: string;
  /** The key that sets this label on the selected box. */
  key: string;
}

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

export interface MediaSettings {
  kind: 'video' | 'frames';
  /** Relative to the project folder: the video file, or the folder of frames. */
  path: string;
  fps: number;
  frameCount: number;
  width: number;
  height: number;
}

export interface ProjectSettings {
  schema: typeof PROJECT_SCHEMA;
  name: string;
  media: MediaSettings | null;
  labels: LabelDef[];
  labelMapping: Record<string, string>;
}
