// What one core holds while the window works: the open project, its annotation store, the folders the
// window may load files from, and the rule for which paths the window may name.

import { lstatSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, parse, resolve } from 'node:path';
import type { HostKind, WorkbenchEvent } from '../../shared/api';
import { WorkbenchError } from '../../shared/errors';
import { DEFAULT_LABELS, type ProjectSummary } from '../../shared/project';
import { isWithin } from '../fs/paths';
import { MediaRoots } from '../media/media-roots';
import { AnnotationStore } from '../project/annotation-store';
import { loadProjectFolder } from '../project/project-folder';
import { RecentProjects } from '../project/recent-projects';
import { SAMPLE_GENERATOR_VERSION } from '../sample/generate-sample';
import { Emitter } from '../util/event-emitter';

/** What the host process can do that plain Node cannot. */
export interface HostServices {
  kind: HostKind;
  /** A native folder dialog; absent in browser mode. Resolves to null when the user cancels. */
  chooseFolder?: (title: string) => Promise<string | null>;
  /** Real paths of the folders inside which the window may open projects; absent: no such limit. */
  roots?: string[];
}

export class Session {
  readonly mediaRoots = new MediaRoots();
  readonly events = new Emitter<WorkbenchEvent>();
  readonly recent: RecentProjects;
  /** Where the built-in sample project lives; a new generator version gets a new folder. */
  readonly sampleProjectDir: string;
  private current: ProjectSummary | null = null;
  /** The open project's annotations; null when it has none (or no project is open, or an import is writing them). */
  private annotationStore: AnnotationStore | null = null;
  /** Set while an import writes annotations.json: nothing may edit (and autosave over) it meanwhile. */
  private importing = false;
  /** Counts opens, so a job that opens a project when it ends can tell whether the user opened another meanwhile. */
  private opens = 0;
  /** Folders the user chose in the host's dialog (and the host opened itself): openable in the desktop app. */
  private readonly chosen = new Set<string>();
  /** The open project's media when it is referenced outside the project folder: served too. */
  private outsideMedia: string | null = null;

  constructor(
    readonly host: HostServices,
    dataDir: string,
  ) {
    this.recent = new RecentProjects(dataDir);
    this.sampleProjectDir = join(dataDir, 'samples', `walkway-v${SAMPLE_GENERATOR_VERSION}`);
  }

  get project(): ProjectSummary | null {
    return this.current;
  }

  /** The open project's annotations, null when it has none (or an import is writing them). */
  get store(): AnnotationStore | null {
    return this.annotationStore;
  }

  get openCount(): number {
    return this.opens;
  }

  /** The open project, or an error saying there is none. */
  requireProject(): ProjectSummary {
    if (!this.current) throw new WorkbenchError('invalid-request', 'No project is open');
    return this.current;
  }

  /** The open project's annotations, or an error saying why they cannot be edited now. */
  requireStore(): AnnotationStore {
    if (this.importing) throw new WorkbenchError('invalid-request', 'An import is replacing the annotations: edit again when it ends');
    if (!this.annotationStore) throw new WorkbenchError('invalid-request', 'The open project has no annotations yet: import some first');
    return this.annotationStore;
  }

  /** The open project's label names, the study's when it has no settings. */
  labelNames(): string[] {
    return labelNamesOf(this.current);
  }

  /** Writes every edit so far, for a worker about to read annotations.json. */
  async flushEdits(): Promise<void> {
    await this.annotationStore?.flush();
  }

  /** Opens a folder the window named, if the host lets the window name it. */
  async openFromWindow(path: string): Promise<ProjectSummary> {
    const folder = expandHome(path);
    if (!this.trustsTypedPaths() && !(await this.isKnownFolder(folder))) {
      throw new WorkbenchError('forbidden-path', `${path} was not chosen in the Open dialog: open it with File > Open Project…`, { field: 'path' });
    }
    this.checkRoots(folder, 'path', path);
    return this.open(folder);
  }

  /** Opens a folder the host itself chose (its dialog, a command-line argument). */
  async openFromHost(path: string): Promise<ProjectSummary> {
    this.chosen.add(resolve(path));
    return this.open(path);
  }

  async open(path: string): Promise<ProjectSummary> {
    const project = await loadProjectFolder(path);
    if (project.path === parse(project.path).root || project.path === homedir()) {
      throw new WorkbenchError(
        'forbidden-path',
        `${project.path} is too wide to be a project folder: choose the folder that holds the video and its annotations`,
        { file: project.path },
      );
    }
    // The project being left (or reopened) keeps every edit: it is written before anything is read.
    await this.annotationStore?.close();
    this.annotationStore = await AnnotationStore.load(project.path, labelNamesOf(project), (save) => this.events.emit({ type: 'annotations-saved', save }));
    // The window asks for the annotations next, packed: that takes a few hundred ms for an hour of boxes,
    // done now while the window loads.
    const opened = this.annotationStore;
    if (opened) setImmediate(() => opened.packed());
    if (this.current) this.mediaRoots.remove(this.current.path);
    if (this.outsideMedia) this.mediaRoots.remove(this.outsideMedia);
    this.current = project;
    this.opens++;
    this.mediaRoots.add(project.path);
    this.outsideMedia = outsideMediaOf(project);
    if (this.outsideMedia) this.mediaRoots.add(this.outsideMedia);
    // The recent list is a convenience: failing to update it must not undo the open. A folder that is
    // not a project yet (no project.json) is not one to come back to.
    if (project.settings) await this.recent.add(project).catch((error: unknown) => console.warn('Could not update the recent projects:', error));
    this.events.emit({ type: 'project-opened', project });
    return project;
  }

  /**
   * Closes the annotation store for an import, so nothing edits (and autosaves over) annotations.json
   * while the import replaces it. `end` opens the project again, so the window sees the new annotations
   * (or the old ones, if the import failed).
   */
  async beginReplace(): Promise<{ project: ProjectSummary; end: () => Promise<void> }> {
    const project = this.requireProject();
    if (this.importing) throw new WorkbenchError('invalid-request', 'An import is already running: wait for it to end');
    await this.annotationStore?.flush();
    this.importing = true;
    this.annotationStore = null;
    const end = async () => {
      this.importing = false;
      if (this.current?.path === project.path) await this.open(project.path);
    };
    return { project, end };
  }

  /**
   * A path the window typed, `~` read as the home folder, once the host lets the window name it. In the
   * desktop app it must lie in the project (dialogs that pick others come with the File menu), symlinks
   * resolved: a link in the project may point anywhere.
   */
  windowPath(path: string, field: string): string {
    if (this.trustsTypedPaths()) return this.typedPath(path, field);
    const expanded = expandHome(path);
    const real = realPathOf(expanded);
    if (real === null || !isWithin(this.requireProject().path, real)) {
      throw new WorkbenchError('forbidden-path', `${path} is outside the project folder`, { field });
    }
    return expanded;
  }

  /** A path the window typed that may lie anywhere the host lets it (a new project's folder, media to reference), `~` read as home. */
  typedPath(path: string, field: string): string {
    if (!this.trustsTypedPaths())
      throw new WorkbenchError('forbidden-path', `Paths are chosen in the desktop app's dialogs: use the File menu (${path} was typed)`, { field });
    const expanded = expandHome(path);
    this.checkRoots(expanded, field, path);
    return expanded;
  }

  /**
   * In browser mode with `--root`, every path the window names (a project, a file to import or export to)
   * lies in a root. `typed` is the path as the user wrote it, for the message.
   */
  private checkRoots(path: string, field: string, typed: string): void {
    const roots = this.host.roots;
    if (!roots) return;
    const real = realPathOf(path);
    if (real === null || !roots.some((root) => isWithin(root, real))) {
      throw new WorkbenchError('forbidden-path', `${typed} is outside the folders this server may use: ${roots.join(', ')}`, { field });
    }
  }

  /**
   * Whether the window may open any folder by path. In browser mode the user types paths (and holds the
   * server's token); in the desktop app paths come only from the dialog, the recent list and the sample,
   * so a page that misbehaves cannot turn an arbitrary folder into a served media root.
   */
  private trustsTypedPaths(): boolean {
    return this.host.kind === 'browser';
  }

  private async isKnownFolder(path: string): Promise<boolean> {
    const absolute = resolve(path);
    if (this.chosen.has(absolute) || absolute === this.sampleProjectDir) return true;
    return (await this.recent.list()).some((entry) => entry.path === absolute);
  }

  /** An editing proxy of `path`'s video is ready: the open project (if it is that one) says so from now on. */
  proxyMade(path: string, proxy: string): void {
    if (this.current?.path === path) this.current = { ...this.current, editingProxy: proxy };
  }

  /** Writes pending edits: before the process exits. */
  async close(): Promise<void> {
    await this.annotationStore?.close();
  }
}

/**
 * The real path of `path`; for one that does not exist yet (a file to write), its nearest existing
 * folder's real path with the rest; null when that cannot be told (a link to nothing, a loop). Synchronous,
 * so that the check stays where its callers make it.
 */
function realPathOf(path: string): string | null {
  const absolute = resolve(path);
  try {
    return realpathSync.native(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || lstatSync(absolute, { throwIfNoEntry: false })) return null;
    const parent = dirname(absolute);
    const real = parent === absolute ? null : realPathOf(parent);
    return real === null ? null : join(real, basename(absolute));
  }
}

/** `~` and `~/…` as the home folder, as a shell reads them; any other path as it is, made absolute. */
export function expandHome(path: string): string {
  const trimmed = path.trim();
  return resolve(trimmed === '~' || trimmed.startsWith('~/') ? join(homedir(), trimmed.slice(1)) : trimmed);
}

/** The real path of a project's media when it lies outside the project folder (referenced where it is); else null. */
function outsideMediaOf(project: ProjectSummary): string | null {
  const media = project.settings?.media;
  if (!media || project.missingMedia) return null;
  const real = realPathOf(resolve(project.path, media.path));
  return real !== null && !isWithin(project.path, real) ? real : null;
}

function labelNamesOf(project: ProjectSummary | null): string[] {
  return (project?.settings?.labels ?? DEFAULT_LABELS).map((label) => label.name);
}
