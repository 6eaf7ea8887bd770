// A run's folder under runs/: config.json first (so even a run that fails at once says what it was),
// then metrics.jsonl and confusion matrices as epochs end, the models, and summary.json at the end.
// running.json marks a run in progress; one left behind by a dead process is a run that was cut off.

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { BatchMetrics, ConfusionMatrix, EpochMetrics, RunConfig, RunInfo, RunMeta, RunStatus, RunSummary, SplitPredictions } from '../../shared/runs';
import { WorkbenchError, toErrorData } from '../../shared/errors';
import { writeFileAtomic } from '../fs/atomic-write';

export const RUNS_DIR = 'runs';

/** confusion/ and predictions/ name their files alike: epoch-001 for validation after epoch 1, test for the best checkpoint. */
export function confusionName(split: 'val' | 'test', epoch: number): string {
  return split === 'test' ? 'test' : `epoch-${String(epoch).padStart(3, '0')}`;
}
const RUNNING_FILE = 'running.json';
/** The user's name and tags for a run (see RunMeta). */
export const META_FILE = 'meta.json';

/** A run id sorts by time and says what it is: 2026-11-27T10-04-05-conv-bn-1a2b. */
export function newRunId(model: string, now = new Date()): string {
  return `${now.toISOString().slice(0, 19).replace(/:/g, '-')}-${model}-${randomBytes(2).toString('hex')}`;
}

export function runFolder(projectDir: string, runId: string): string {
  if (!/^[\w-]+$/.test(runId)) throw new WorkbenchError('invalid-request', `"${runId}" is not a run id`, { field: 'runId' });
  return join(projectDir, RUNS_DIR, runId);
}

export class RunWriter {
  private metricsText = '';
  private pendingBatches: BatchMetrics[] = [];

  private constructor(
    readonly folder: string,
    private current: RunConfig,
  ) {}

  get config(): RunConfig {
    return this.current;
  }

  static async create(projectDir: string, config: RunConfig): Promise<RunWriter> {
    const folder = runFolder(projectDir, config.id);
    await mkdir(join(folder, 'confusion'), { recursive: true });
    await mkdir(join(folder, 'predictions'), { recursive: true });
    const writer = new RunWriter(folder, config);
    await writer.writeJson(RUNNING_FILE, { pid: process.pid, startedAt: new Date().toISOString() });
    await writer.writeJson('config.json', config);
    return writer;
  }

  async setConfig(change: Partial<RunConfig>): Promise<void> {
    this.current = { ...this.current, ...change };
    await this.writeJson('config.json', this.current);
  }

  /** Batch lines are kept until their epoch ends, then written with it in one atomic rewrite. */
  recordBatch(metrics: BatchMetrics): void {
    this.pendingBatches.push(metrics);
  }

  async recordEpoch(metrics: EpochMetrics, confusion: ConfusionMatrix, predictions: SplitPredictions): Promise<void> {
    this.metricsText += [...this.pendingBatches, metrics].map((line) => JSON.stringify(line) + '\n').join('');
    this.pendingBatches = [];
    await writeFileAtomic(join(this.folder, 'metrics.jsonl'), this.metricsText);
    await this.writeJson(join('confusion', `${confusionName('val', metrics.epoch)}.json`), { epoch: metrics.epoch, split: 'val', ...confusion });
    await writeJson(join(this.folder, 'predictions', `${confusionName('val', metrics.epoch)}.json`), { epoch: metrics.epoch, split: 'val', ...predictions });
  }

  async recordTest(epoch: number, confusion: ConfusionMatrix, predictions: SplitPredictions): Promise<void> {
    await this.writeJson(join('confusion', 'test.json'), { epoch, split: 'test', ...confusion });
    await writeJson(join(this.folder, 'predictions', 'test.json'), { epoch, split: 'test', ...predictions });
  }

  finish(summary: RunSummary): Promise<void> {
    return writeSummary(this.folder, summary);
  }

  private writeJson(file: string, value: unknown): Promise<void> {
    return writeJson(join(this.folder, file), value);
  }
}

async function writeSummary(folder: string, summary: RunSummary): Promise<void> {
  await writeJson(join(folder, 'summary.json'), summary);
  await rm(join(folder, RUNNING_FILE), { force: true });
}

/**
 * Writes summary.json for a run whose worker died without one (a native crash, out of memory), so the run
 * says why it ended rather than staying "running" while the app lives on. Does nothing if the run wrote
 * its own summary, or never started.
 */
export async function recordCrash(folder: string, error: unknown): Promise<void> {
  const run = await readRun(folder, basename(folder)).catch(() => null);
  if (!run || run.summary) return;
  await writeSummary(folder, { status: 'failed', endedAt: new Date().toISOString(), epochs: run.epochs, bestEpoch: null, train: null, val: null, test: null, seconds: 0, error: toErrorData(error) });
}

export function writeJson(file: string, value: unknown): Promise<void> {
  return writeFileAtomic(file, JSON.stringify(value, null, 1) + '\n');
}

/** The project's runs, newest first. A folder whose config cannot be read is passed over. */
export async function listRuns(projectDir: string): Promise<RunInfo[]> {
  const root = join(projectDir, RUNS_DIR);
  const ids = (await readdir(root).catch(() => [] as string[])).filter((id) => /^[\w-]+$/.test(id));
  const runs = await Promise.all(ids.map((id) => readRun(join(root, id), id).catch(() => null)));
  return runs.filter((run): run is RunInfo => run !== null).sort((a, b) => b.config.createdAt.localeCompare(a.config.createdAt));
}

export async function readRun(folder: string, id: string): Promise<RunInfo> {
  const config = JSON.parse(await readFile(join(folder, 'config.json'), 'utf8')) as RunConfig;
  const summary = await readJson<RunSummary>(join(folder, 'summary.json'));
  const running = await readJson<{ pid: number }>(join(folder, RUNNING_FILE));
  // A finished run's summary counts its epochs; only a run without one (training, or cut off) is counted
  // from metrics.jsonl, which holds every batch and is read here on every refresh of the runs list.
  const epochs = summary ? summary.epochs : (await readFile(join(folder, 'metrics.jsonl'), 'utf8').catch(() => '')).split('\n').filter((line) => line.startsWith('{"kind":"epoch"')).length;
  const status: RunStatus = summary ? summary.status : running && isAlive(running.pid) ? 'running' : 'interrupted';
  const meta = await readJson<Partial<RunMeta>>(join(folder, META_FILE));
  return { id, path: folder, status, config, summary, epochs, name: typeof meta?.name === 'string' ? meta.name : null, tags: Array.isArray(meta?.tags) ? meta.tags.filter((tag) => typeof tag === 'string') : [] };
}

export function readJson<T>(file: string): Promise<T | null> {
  return readFile(file, 'utf8').then((text) => JSON.parse(text) as T, () => null);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
