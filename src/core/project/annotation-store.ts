// The project's own annotations file (annotations.json): edits with undo and redo, saved atomically
// within a second of every edit, with earlier versions kept in history/ so a user can go back.
//
// A large file (an hour of per-frame boxes is tens of megabytes) is not rewritten for every edit: each
// save appends the tracks it changed, whole, as one line of annotations.journal.jsonl, and opening
// applies the lines in order. The file is written whole again (and the journal removed) when the journal
// has grown, when the project is left, and whenever the file is small.

import { mkdir, open, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnnotationTrack, Edit, EditResult, ProjectAnnotations } from '../../shared/annotations';
import { describeEdit } from '../../shared/annotations';
import type { SaveState } from '../../shared/api';
import { packAnnotations, type PackedAnnotations } from '../../shared/packed-annotations';
import { toErrorData } from '../../shared/errors';
import { applyEdit, restore, type AppliedEdit } from '../annotations/edits';
import { removeStrayTempFiles, writeFileAtomic } from '../fs/atomic-write';
import { readJsonLines } from '../fs/json-file';
import { isFile } from '../fs/paths';
import { annotationsFileText, journalLine, parseAnnotations } from './annotations-file';
import { projectPaths } from './layout';

/** Edits are written this long after the first unsaved one (well within the promised second), however fast more follow. */
const SAVE_DELAY_MS = 200;
/** A copy of the file goes to history/ at most this often, and the newest this many are kept. */
const HISTORY_EVERY_MS = 10 * 60 * 1000;
const HISTORY_KEPT = 30;
const UNDO_DEPTH = 500;
/**
 * annotations.json smaller than this is written whole on every save, in a fraction of the promised 100 ms:
 * written as columns, the study's 48,000 boxes are 4 MB and took 110 ms to write whole.
 */
const JOURNAL_ABOVE_BYTES = 1024 * 1024;
/** The journal is folded into annotations.json once it is this large, or half the file's size if that is more. */
const JOURNAL_FOLD_BYTES = 32 * 1024 * 1024;

export class AnnotationStore {
  private readonly undoStack: AppliedEdit[] = [];
  private readonly redoStack: AppliedEdit[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private writing: Promise<void> | null = null;
  private dirty = false;
  /** When history/ was last brought up to date; a new store (an import) keeps the file it replaces, however recent the last copy. */
  private lastHistoryAt = -Infinity;
  /** Tracks changed (or removed) since the last save. */
  private readonly unsaved = new Set<number>();
  /** Sizes on disk: annotations.json as last written whole, and the journal after it. */
  private fileBytes = 0;
  private journalBytes = 0;
  /** The next save writes annotations.json whole. */
  private writeWhole = false;
  /** What packed() last gave, until the next change: an hour of boxes takes a few hundred ms to pack. */
  private packedNow: PackedAnnotations | null = null;

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
    const text = await readFile(paths.annotations, 'utf8');
    const journal = await readJsonLines(paths.annotationsJournal);
    const store = new AnnotationStore(
      folder,
      parseAnnotations(text, paths.annotations, { lines: journal ?? [], file: paths.annotationsJournal }),
      labels,
      onSaveState,
    );
    store.fileBytes = Buffer.byteLength(text);
    store.journalBytes = journal ? (await stat(paths.annotationsJournal)).size : 0;
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
    store.writeWhole = true;
    await store.flush();
    return store;
  }

  /** Writes pending edits and folds the journal into annotations.json: for leaving the project. */
  async close(): Promise<void> {
    if (this.journalBytes > 0) {
      this.writeWhole = true;
      this.dirty = true;
    }
    await this.flush();
  }

  get annotations(): ProjectAnnotations {
    return this.current;
  }

  /** The annotations packed for the window (see shared/packed-annotations). */
  packed(): PackedAnnotations {
    return (this.packedNow ??= packAnnotations(this.current));
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
    this.packedNow = null;
    for (const id of states.keys()) this.unsaved.add(id);
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
      const whole = this.writeWhole || this.fileBytes < JOURNAL_ABOVE_BYTES || this.journalBytes > Math.max(JOURNAL_FOLD_BYTES, this.fileBytes / 2);
      if (whole) await this.writeWholeFile(file);
      else await this.appendToJournal();
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

  private async writeWholeFile(file: string): Promise<void> {
    if (Date.now() - this.lastHistoryAt >= HISTORY_EVERY_MS && (await isFile(file))) await this.keepHistory(file);
    const text = annotationsFileText(this.current);
    this.unsaved.clear();
    // Until a whole write succeeds, only a whole write holds every edit.
    this.writeWhole = true;
    await writeFileAtomic(file, text);
    // Written first, removed second: a crash between leaves lines that only repeat what the file holds.
    await rm(projectPaths(this.folder).annotationsJournal, { force: true });
    this.writeWhole = false;
    this.fileBytes = Buffer.byteLength(text);
    this.journalBytes = 0;
  }

  /** Appends the tracks changed since the last save, whole, as one line; synced before the save counts as done. */
  private async appendToJournal(): Promise<void> {
    const changed = [...this.unsaved];
    const byId = new Map(this.current.tracks.map((track) => [track.id, track]));
    const line = journalLine(
      changed.flatMap((id) => byId.get(id) ?? []),
      changed.filter((id) => !byId.has(id)),
    );
    this.unsaved.clear();
    try {
      const journal = await open(projectPaths(this.folder).annotationsJournal, 'a');
      try {
        await journal.writeFile(line);
        await journal.sync();
      } finally {
        await journal.close();
      }
    } catch (error) {
      for (const id of changed) this.unsaved.add(id);
      throw error;
    }
    this.journalBytes += Buffer.byteLength(line);
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
