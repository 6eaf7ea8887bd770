import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProjectSummary, RecentProject } from '../../shared/project';
import { writeFileAtomic } from '../fs/atomic-write';
import { readJsonFile } from '../fs/json-file';
import { isDirectory } from '../fs/paths';

const MAX_RECENT = 12;

interface StoredRecent {
  path: string;
  name: string;
  openedAt: string;
}

/** The recently opened projects, newest first, kept in `recent-projects.json` in the data folder. */
export class RecentProjects {
  private readonly file: string;
  /** Updates run one after another, so two opens at once cannot lose an entry. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly dataDir: string) {
    this.file = join(dataDir, 'recent-projects.json');
  }

  async list(): Promise<RecentProject[]> {
    const stored = await this.read();
    return Promise.all(stored.map(async (entry) => ({ ...entry, exists: await isDirectory(entry.path) })));
  }

  add(project: ProjectSummary, now = new Date()): Promise<void> {
    const update = this.queue.then(async () => {
      const others = (await this.read()).filter((entry) => entry.path !== project.path);
      const entries = [{ path: project.path, name: project.name, openedAt: now.toISOString() }, ...others].slice(0, MAX_RECENT);
      await mkdir(this.dataDir, { recursive: true });
      await writeFileAtomic(this.file, JSON.stringify({ version: 1, projects: entries }, null, 2) + '\n');
    });
    this.queue = update.catch(() => {});
    return update;
  }

  // A missing or damaged list only costs the user their recents: it must never stop the app opening.
  private async read(): Promise<StoredRecent[]> {
    try {
      const parsed = (await readJsonFile(this.file)) as { projects?: unknown } | null;
      return Array.isArray(parsed?.projects) ? parsed.projects.filter(isStoredRecent) : [];
    } catch (error) {
      console.warn(`Ignoring the recent projects: ${(error as Error).message}`);
      return [];
    }
  }
}

function isStoredRecent(value: unknown): value is StoredRecent {
  const entry = value as Partial<StoredRecent> | null;
  return typeof entry?.path === 'string' && typeof entry.name === 'string' && typeof entry.openedAt === 'string';
}
