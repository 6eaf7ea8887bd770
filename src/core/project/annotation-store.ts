// The project's own annotations file (annotations.json): edits with undo and redo, saved atomically
// within a second of every edit, with earlier versions kept in history/ so a user can go back.

import { copyFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnnotationTrack, Edit, EditResult, ProjectAnnotations } from '../../shared/annotations';
import { ANNOTATIONS_SCHEMA } from '../../shared/annotations';
import type { SaveState } from '../../shared/api';
import { WorkbenchError, toErrorData } from '../../shared/errors';
import { applyEdit, restore, type AppliedEdit } from '../annotations/edits';
import { writeFileAtomic } from '../fs/atomic-write';
import { parseJsonFile } from '../fs/json-file';
import { isFile } from '../fs/paths';

export const ANNOTATIONS_FILE = 'annotations.json';
export const HISTORY_DIR = 'history';
/** Edits are written this long after the first unsaved one (well within the promised second), however fast more follow. */
const SAVE_DELAY_MS = 200;
/** A copy of the file goes to history/ at most this often, and the newest this many are kept. */
const HISTORY_EVERY_MS = 10 * 60 * 1000;
const HISTORY_KEPT = 30;
const UNDO_DEPTH = 500;


export class AnnotationStore {
  private readonly undoStack: AppliedEdit[] = [];
  private readonly redoStack: AppliedEdit[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private writing: Promise<void> | null = null;
  private dirty = false;
  private lastHistoryAt = -Infinity;

  private constructor(
    readonly folder: string,
    private current: ProjectAnnotations,
    private labels: readonly string[],
    private readonly onSaveState: (state: SaveState) => void,
  ) {}

  /** The project's annotations, or null when it has none yet. */
  static async load(folder: string, labels: readonly string[], onSaveState: (state: SaveState) => void = () => {}): Promise<AnnotationStore | null> {
    const file = join(folder, ANNOTATIONS_FILE);
    if (!(await isFile(file))) return null;
    return new AnnotationStore(folder, parseAnnotations(await readFile(file, 'utf8'), file), labels, onSaveState);
  }

  /** Makes `annotations` the project's annotations, writing them now; the previous file goes to history/. */
  static async create(folder: string, annotations: ProjectAnnotations, labels: readonly string[], onSaveState: (state: SaveState) => void = () => {}): Promise<AnnotationStore> {
    const store = new AnnotationStore(folder, annotations, labels, onSaveState);
    store.dirty = true;
    await store.flush();
    return store;
  }

  get annotations(): ProjectAnnotations {
    return this.current;
  }

  apply(edit: Edit): EditResult {
    const applied = applyEdit(this.current, edit, this.labels);
    this.undoStack.push(applied);
    if (this.undoStack.length > UNDO_DEPTH) this.undoStack.shift();
    this.redoStack.length = 0;
    return this.changed(applied.after);
  }

  undo(): EditResult | null {
    const applied = this.undoStack.pop();
    if (!applied) return null;
    restore(this.current, applied.before);
    this.redoStack.push(applied);
    return this.changed(applied.before);
  }

  redo(): EditResult | null {
    const applied = this.redoStack.pop();
    if (!applied) return null;
    restore(this.current, applied.after);
    this.undoStack.push(applied);
    return this.changed(applied.after);
  }

  /** Writes pending edits now; resolves when they are on disk. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.writing) await this.writing;
    if (!this.dirty) return;
    this.dirty = false;
    this.writing = this.write().finally(() => (this.writing = null));
    await this.writing;
  }

  private changed(states: Map<number, AnnotationTrack | null>): EditResult {
    this.dirty = true;
    this.onSaveState({ state: 'saving' });
    // Not restarted by later edits: a steady stream of edits must still reach the disk every 200 ms.
    this.timer ??= setTimeout(() => void this.flush().catch(() => {}), SAVE_DELAY_MS);
    const tracks = [...states.values()].filter((track): track is AnnotationTrack => track !== null);
    const removed = [...states.entries()].filter(([, track]) => track === null).map(([id]) => id);
    return { tracks: structuredClone(tracks), removed, canUndo: this.undoStack.length > 0, canRedo: this.redoStack.length > 0 };
  }

  private async write(): Promise<void> {
    const file = join(this.folder, ANNOTATIONS_FILE);
    try {
      if (Date.now() - this.lastHistoryAt >= HISTORY_EVERY_MS && (await isFile(file))) await this.keepHistory(file);
      await writeFileAtomic(file, JSON.stringify(this.current));
      this.onSaveState(this.dirty ? { state: 'saving' } : { state: 'saved' });
    } catch (error) {
      // The edits stay in memory and are tried again with the next edit; the window says so meanwhile.
      this.dirty = true;
      const data = toErrorData(error);
      this.onSaveState({ state: 'error', error: { ...data, code: data.code === 'internal' ? 'io-error' : data.code, message: `Could not save ${file}: ${data.message}` } });
      throw error;
    }
  }

  private async keepHistory(file: string): Promise<void> {
    const folder = join(this.folder, HISTORY_DIR);
    await mkdir(folder, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    await copyFile(file, join(folder, `annotations-${stamp}.json`));
    this.lastHistoryAt = Date.now();
    const versions = (await readdir(folder)).filter((name) => /^annotations-.*\.json$/.test(name)).sort();
    for (const old of versions.slice(0, Math.max(0, versions.length - HISTORY_KEPT))) await rm(join(folder, old), { force: true });
  }
}

/** Reads annotations.json, checking its shape; problems name the file and the field. */
export function parseAnnotations(text: string, file: string): ProjectAnnotations {
  const value = parseJsonFile(text, file);
  const fail = (field: string, expected: string): never => {
    throw new WorkbenchError('invalid-project', `${file}: "${field}" must be ${expected}`, { file, field });
  };
  const root = (typeof value === 'object' && value !== null ? value : fail('(the whole file)', 'a JSON object')) as Record<string, unknown>;
  if (root.schema !== ANNOTATIONS_SCHEMA) throw new WorkbenchError('invalid-project', `${file} has schema ${JSON.stringify(root.schema)}; this Maskbench reads schema ${ANNOTATIONS_SCHEMA}`, { file, field: 'schema' });
  for (const field of ['width', 'height', 'frameCount'] as const) if (!(Number.isInteger(root[field]) && (root[field] as number) > 0)) fail(field, 'a whole number above 0');
  const frameCount = root.frameCount as number;
  if (!Array.isArray(root.frameNames) || root.frameNames.length !== frameCount) fail('frameNames', `a list of ${frameCount} names`);
  if (!Array.isArray(root.tracks)) fail('tracks', 'a list');
  const ids = new Set<number>();
  (root.tracks as unknown[]).forEach((trackValue, t) => {
    const track = trackValue as Partial<AnnotationTrack>;
    if (!Number.isInteger(track.id) || ids.has(track.id!)) fail(`tracks[${t}].id`, 'a whole number used by no other track');
    ids.add(track.id!);
    if (!Array.isArray(track.shapes) || track.shapes.length === 0) fail(`tracks[${t}].shapes`, 'a non-empty list');
    let previous = -1;
    track.shapes!.forEach((shape, s) => {
      const at = `tracks[${t}].shapes[${s}]`;
      if (!Number.isInteger(shape.frame) || shape.frame <= previous || shape.frame >= frameCount) fail(`${at}.frame`, `a frame after the previous keyframe's and below ${frameCount}`);
      previous = shape.frame;
      for (const field of ['xtl', 'ytl', 'xbr', 'ybr'] as const) if (typeof shape[field] !== 'number' || !Number.isFinite(shape[field])) fail(`${at}.${field}`, 'a number');
      if (typeof shape.label !== 'string') fail(`${at}.label`, 'a string');
      if (typeof shape.occluded !== 'boolean' || typeof shape.outside !== 'boolean') fail(`${at}.occluded`, 'true or false (and so must outside)');
      if (typeof shape.attributes !== 'object' || shape.attributes === null) fail(`${at}.attributes`, 'an object');
    });
  });
  return root as unknown as ProjectAnnotations;
}
