// An edit arriving from the window, checked field by field before it touches the annotations.

import type { BoxGeometry, Edit } from '../../shared/annotations';
import { WorkbenchError } from '../../shared/errors';

type FieldKind = 'frame' | 'id' | 'label' | 'flag' | 'box';

const EDIT_FIELDS: { [T in Edit['type']]: Record<Exclude<keyof Extract<Edit, { type: T }>, 'type'>, FieldKind> } = {
  'create-track': { frame: 'frame', box: 'box', label: 'label' },
  'move-box': { trackId: 'id', frame: 'frame', box: 'box' },
  'delete-track': { trackId: 'id' },
  'relabel-box': { trackId: 'id', frame: 'frame', label: 'label' },
  'relabel-track': { trackId: 'id', from: 'frame', to: 'frame', label: 'label' },
  'split-track': { trackId: 'id', frame: 'frame' },
  'merge-tracks': { trackId: 'id', otherId: 'id' },
  'set-keyframe': { trackId: 'id', frame: 'frame', keyframe: 'flag' },
  'set-occluded': { trackId: 'id', frame: 'frame', occluded: 'flag' },
  'set-outside': { trackId: 'id', frame: 'frame', outside: 'flag' },
};

export function readEdit(value: unknown): Edit {
  const edit = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const type = edit.type as Edit['type'];
  const fields = EDIT_FIELDS[type] as Record<string, FieldKind> | undefined;
  if (!fields || !Object.hasOwn(EDIT_FIELDS, type)) throw new WorkbenchError('invalid-request', `edit.type must be one of ${Object.keys(EDIT_FIELDS).join(', ')}`, { field: 'edit.type' });
  for (const name of Object.keys(edit)) if (name !== 'type' && !(name in fields)) throw new WorkbenchError('invalid-request', `edit has an unknown field "${name}"`, { field: `edit.${name}` });
  for (const [name, kind] of Object.entries(fields)) {
    if (!valid(kind, edit[name])) throw new WorkbenchError('invalid-request', `edit.${name} must be ${EXPECTED[kind]}`, { field: `edit.${name}` });
  }
  return edit as unknown as Edit;
}

const EXPECTED: Record<FieldKind, string> = {
  frame: 'a whole number from 0',
  id: 'a whole number',
  label: 'a label name',
  flag: 'true or false',
  box: 'a box {xtl, ytl, xbr, ybr} of numbers',
};

function valid(kind: FieldKind, value: unknown): boolean {
  switch (kind) {
    case 'frame':
    case 'id':
      return Number.isInteger(value) && (value as number) >= 0;
    case 'label':
      return typeof value === 'string' && value !== '';
    case 'flag':
      return typeof value === 'boolean';
    case 'box': {
      const box = value as Partial<BoxGeometry> | null;
      return typeof box === 'object' && box !== null && (['xtl', 'ytl', 'xbr', 'ybr'] as const).every((key) => Number.isFinite(box[key]));
    }
  }
}
