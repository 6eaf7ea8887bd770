// The project's own annotations file (annotations.json): edits with undo and redo, saved atomically
// within a second of every edit, with earlier versions kept in history/ so a user can go back.

import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnnotationTrack, Edit, EditResult, ProjectAnnotations } from '../../shared/annotations';
import { ANNOTATIONS_SCHEMA, describeEdit, projectAnnotationsSchema } from '../../shared/annotations';
import { read } from '../../shared/schema';
import type { SaveState } from '../../shared/api';
import { WorkbenchError, toErrorData } from '../../shared/errors';
import { frameSize } from '../../shared/frame-sizes';
import { applyEdit, restore, type AppliedEdit } from '../annotations/edits';
import { removeStrayTempFiles, writeFileAtomic } from '../fs/atomic-write';
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
  /** When history/ was last brought up to date; a new store (an import) keeps the file it replaces, however recent the last copy. */
  private lastHistoryAt = -Infinity;

  private constructor(
    readonly folder: string,
    private current: ProjectAnnotations,
    private labels: readonly string[],
    private readonly onSaveState: (state: SaveState) => void,
  ) {}

  /** The project's annotations, or null when it has none yet. */
  static async load(folder: string, labels: readonly string[], onSaveState: (state: SaveState) => void = () => {}): Promise<AnnotationStore | null> {
    const paths = projectPaths(folder);
    // Saves cut off by a crash leave temp files beside annotations.json and in history/.
    await removeStrayTempFiles(folder);
    await removeStrayTempFiles(paths.history);
    if (!(await isFile(paths.annotations))) return null;
    const store = new AnnotationStore(folder, parseAnnotations(await readFile(paths.annotations, 'utf8'), paths.annotations), labels, onSaveState);
    // The ten minutes run on across restarts: each copy is the whole file, and one per open fills the disk.
    const newest = (await historyVersions(paths.history)).at(-1);
    if (newest) store.lastHistoryAt = (await stat(join(paths.history, newest)).catch(() => null))?.mtimeMs ?? -Infinity;
    return store;
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
    const next = (stack: AppliedEdit[]) => (stack.length > 0 ? describeEdit(stack.at(-1)!.edit) : null);
    return { tracks: structuredClone(tracks), removed, undo: next(this.undoStack), redo: next(this.redoStack) };
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

  /** Copies the file on disk to history/ unless the newest copy there is the same, and keeps the newest HISTORY_KEPT. */
  private async keepHistory(file: string): Promise<void> {
    const folder = projectPaths(this.folder).history;
    await mkdir(folder, { recursive: true });
    const versions = await historyVersions(folder);
    const content = await readFile(file);
    const newest = versions.at(-1);
    const previous = newest === undefined ? null : await readFile(join(folder, newest)).catch(() => null);
    if (!previous?.equals(content)) {
      const name = `annotations-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
      // Atomic like every save: a crash mid-copy must not leave a cut-short version to go back to.
      await writeFileAtomic(join(folder, name), content);
      versions.push(name);
    }
    this.lastHistoryAt = Date.now();
    for (const old of versions.slice(0, Math.max(0, versions.length - HISTORY_KEPT))) await rm(join(folder, old), { force: true });
  }
}

/** The copies in history/, oldest first (their names hold the time each was made). */
async function historyVersions(folder: string): Promise<string[]> {
  return (await readdir(folder).catch(() => [] as string[])).filter((name) => /^annotations-.*\.json$/.test(name)).sort();
}

/**
 * Reads annotations.json, checking its shape and what spans fields (frames in order and in the clip, boxes
 * inside the frame, ids used once); problems name the file and the field. An import runs the same check on
 * what it is about to write, so that what it writes opens.
 */
export function parseAnnotations(text: string, file: string): ProjectAnnotations {
  const value = parseJsonFile(text, file);
  const schema = (value as { schema?: unknown } | null)?.schema;
  if (schema !== ANNOTATIONS_SCHEMA)
    throw new WorkbenchError('invalid-project', `${file} has schema ${JSON.stringify(schema)}; this Maskbench reads schema ${ANNOTATIONS_SCHEMA}`, {
      file,
      field: 'schema',
    });
  const annotations = read(projectAnnotationsSchema, value, { file, code: 'invalid-project' });
  const fail = (field: string, expected: string, got: number | string): never => {
    throw new WorkbenchError('invalid-project', `${file}: "${field}" must be ${expected}, got ${got}`, { file, field });
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
    track.shapes.forEach((shape, s) => {
      const at = `tracks[${t}].shapes[${s}]`;
      if (shape.frame <= previous || shape.frame >= frameCount)
        fail(`${at}.frame`, `a frame after the previous keyframe's and below ${frameCount}`, shape.frame);
      previous = shape.frame;
      const { width, height } = frameSize(annotations, shape.frame);
      // Imports clip boxes to the frame; one a little outside (an older import, a hand edit) still opens,
      // but one further out than a frame's size was made by a fault and would export as nonsense.
      if (shape.xtl < -width) fail(`${at}.xtl`, `at least -${width} (a frame's width left of it)`, shape.xtl);
      if (shape.ytl < -height) fail(`${at}.ytl`, `at least -${height} (a frame's height above it)`, shape.ytl);
      if (shape.xbr <= shape.xtl || shape.xbr > 2 * width) fail(`${at}.xbr`, `above xtl (${shape.xtl}) and at most ${2 * width}`, shape.xbr);
      if (shape.ybr <= shape.ytl || shape.ybr > 2 * height) fail(`${at}.ybr`, `above ytl (${shape.ytl}) and at most ${2 * height}`, shape.ybr);
    });
  });
  return annotations;
}
