// The project's own annotations file (annotations.json): edits with undo and redo, saved atomically
// within a second of every edit, with earlier versions kept in history/ so a user can go back.

import { copyFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnnotationTrack, Edit, EditResult, ProjectAnnotations } from '../../shared/annotations';
import { ANNOTATIONS_SCHEMA, projectAnnotationsSchema } from '../../shared/annotations';
import { read } from '../../shared/schema';
import type { SaveState } from '../../shared/api';
import { WorkbenchError, toErrorData } from '../../shared/errors';
import { applyEdit, restore, type AppliedEdit } from '../annotations/edits';
import { writeFileAtomic } from '../fs/atomic-write';
import { parseJsonFile } from '../fs/json-file';
import { isFile } from '../fs/paths';
import { projectPaths } from './layout';

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
    const file = projectPaths(folder).annotations;
    if (!(await isFile(file))) return null;
    return new AnnotationStore(folder, parseAnnotations(await readFile(file, 'utf8'), file), labels, onSaveState);
  }

  /** Makes `annotations` the project's annotations, writing them now; the previous file goes to history/. */
  static async create(
    folder: string,
    annotations: ProjectAnnotations,
    labels: readonly string[],
    onSaveState: (state: SaveState) => void = () => {},
  ): Promise<AnnotationStore> {
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
    const file = projectPaths(this.folder).annotations;
    try {
      if (Date.now() - this.lastHistoryAt >= HISTORY_EVERY_MS && (await isFile(file))) await this.keepHistory(file);
      await writeFileAtomic(file, JSON.stringify(this.current));
      this.onSaveState(this.dirty ? { state: 'saving' } : { state: 'saved' });
    } catch (error) {
      // The edits stay in memory and are tried again with the next edit; the window says so meanwhile.
      this.dirty = true;
      const data = toErrorData(error);
      this.onSaveState({
        state: 'error',
        error: { ...data, code: data.code === 'internal' ? 'io-error' : data.code, message: `Could not save ${file}: ${data.message}` },
      });
      throw error;
    }
  }

  private async keepHistory(file: string): Promise<void> {
    const folder = projectPaths(this.folder).history;
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
  const schema = (value as { schema?: unknown } | null)?.schema;
  if (schema !== ANNOTATIONS_SCHEMA)
    throw new WorkbenchError('invalid-project', `${file} has schema ${JSON.stringify(schema)}; this Maskbench reads schema ${ANNOTATIONS_SCHEMA}`, {
      file,
      field: 'schema',
    });
  const annotations = read(projectAnnotationsSchema, value, { file, code: 'invalid-project' });
  const fail = (field: string, expected: string): never => {
    throw new WorkbenchError('invalid-project', `${file}: "${field}" must be ${expected}`, { file, field });
  };
  const { frameCount } = annotations;
  if (annotations.frameNames.length !== frameCount) fail('frameNames', `a list of ${frameCount} names`);
  const ids = new Set<number>();
  annotations.tracks.forEach((track, t) => {
    if (ids.has(track.id)) fail(`tracks[${t}].id`, 'a whole number used by no other track');
    ids.add(track.id);
    let previous = -1;
    track.shapes.forEach((shape, s) => {
      if (shape.frame <= previous || shape.frame >= frameCount)
        fail(`tracks[${t}].shapes[${s}].frame`, `a frame after the previous keyframe's and below ${frameCount}`);
      previous = shape.frame;
    });
  });
  return annotations;
}
