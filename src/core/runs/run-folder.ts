// A run's folder under runs/: config.json first (so even a run that fails at once says what it was),
// then metrics.jsonl and confusion matrices as epochs end, the models, and summary.json at the end.
// running.json marks a run in progress; one left behind by a dead process is a run that was cut off.

import { version } from '../../../package.json';
// The version alone: the main process records runs on the compute page and must not load TensorFlow.js.
import { version as tfjsVersion } from '@tensorflow/tfjs-core/package.json';
import { isProcessAlive } from '../fs/live-process';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import type {
  BatchMetrics,
  ConfusionMatrix,
  EpochMetrics,
  RunConfig,
  RunInfo,
  RunMeta,
  RunStatus,
  RunSummary,
  SplitPredictions,
  TrainingOptions,
} from '../../shared/runs';
import type { SlurmRecord } from '../../shared/cluster';
import { WorkbenchError, toErrorData } from '../../shared/errors';
import { writeFileAtomic } from '../fs/atomic-write';
import { bestCheckpoint } from './checkpoint';
import { readJsonFile, writeJsonFile } from '../fs/json-file';
import { isRunId, projectPaths, runPaths } from '../project/layout';

/** config.json as a run starts: what it was asked for; the rest is filled in as it learns it. */
export function newRunConfig(id: string, options: TrainingOptions, group: string | null, createdAt = new Date().toISOString()): RunConfig {
  return {
    schema: 1,
    id,
    createdAt,
    group,
    options,
    dataset: null,
    model: null,
    backend: null,
    versions: { maskbench: version, tfjs: tfjsVersion, node: process.versions.node },
  };
}

/** A run id sorts by time and says what it is: 2026-11-27T10-04-05-conv-bn-1a2b. */
export function newRunId(model: string, now = new Date()): string {
  return `${now.toISOString().slice(0, 19).replace(/:/g, '-')}-${model}-${randomBytes(2).toString('hex')}`;
}

export class RunWriter {
  private metricsText = '';
  private pendingBatches: BatchMetrics[] = [];

  readonly files: ReturnType<typeof runPaths>;

  private constructor(
    readonly folder: string,
    private current: RunConfig,
  ) {
    this.files = runPaths(folder);
  }

  get config(): RunConfig {
    return this.current;
  }

  static async create(projectDir: string, config: RunConfig): Promise<RunWriter> {
    const writer = new RunWriter(projectPaths(projectDir).run(config.id), config);
    await mkdir(writer.files.confusions, { recursive: true });
    await mkdir(writer.files.predictions, { recursive: true });
    await writeJsonFile(writer.files.running, { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() });
    await writeJsonFile(writer.files.config, config);
    return writer;
  }

  async setConfig(change: Partial<RunConfig>): Promise<void> {
    this.current = { ...this.current, ...change };
    await writeJsonFile(this.files.config, this.current);
  }

  /** The lines a resumed run recorded up to where this one starts, written first. */
  async continueMetrics(lines: Array<BatchMetrics | EpochMetrics>): Promise<void> {
    this.metricsText = lines.map((line) => JSON.stringify(line) + '\n').join('');
    await writeFileAtomic(this.files.metrics, this.metricsText);
  }

  /** Batch lines are kept until their epoch ends, then written with it in one atomic rewrite. */
  recordBatch(metrics: BatchMetrics): void {
    this.pendingBatches.push(metrics);
  }

  async recordEpoch(metrics: EpochMetrics, confusion: ConfusionMatrix, predictions: SplitPredictions): Promise<void> {
    this.metricsText += [...this.pendingBatches, metrics].map((line) => JSON.stringify(line) + '\n').join('');
    this.pendingBatches = [];
    await writeFileAtomic(this.files.metrics, this.metricsText);
    await writeJsonFile(this.files.confusion('val', metrics.epoch), { epoch: metrics.epoch, split: 'val', ...confusion });
    await writeJsonFile(this.files.splitPredictions('val', metrics.epoch), { epoch: metrics.epoch, split: 'val', ...predictions });
  }

  async recordTest(epoch: number, confusion: ConfusionMatrix, predictions: SplitPredictions): Promise<void> {
    await writeJsonFile(this.files.confusion('test', epoch), { epoch, split: 'test', ...confusion });
    await writeJsonFile(this.files.splitPredictions('test', epoch), { epoch, split: 'test', ...predictions });
  }

  finish(summary: RunSummary): Promise<void> {
    return writeSummary(this.folder, summary);
  }
}

async function writeSummary(folder: string, summary: RunSummary): Promise<void> {
  const files = runPaths(folder);
  await writeJsonFile(files.summary, summary);
  await rm(files.running, { force: true });
}

/**
 * Writes summary.json for a run whose worker died without one (a native crash, out of memory), so the run
 * says why it ended rather than staying "running" while the app lives on. Does nothing if the run wrote
 * its own summary, or never started.
 */
export function recordCrash(folder: string, error: unknown): Promise<boolean> {
  return recordEnding(folder, 'failed', error);
}

/**
 * Writes summary.json for a run that ended without writing one: its process died, or a cluster ended its
 * job. `error` says why a failed run failed. Resolves to whether it wrote one (not when the run has one).
 */
export async function recordEnding(folder: string, status: 'failed' | 'cancelled', error?: unknown): Promise<boolean> {
  const run = await readRun(folder, basename(folder)).catch(() => null);
  if (!run || run.summary) return false;
  const best = await bestCheckpoint(folder);
  await writeSummary(folder, {
    status,
    endedAt: new Date().toISOString(),
    epochs: run.epochs,
    bestEpoch: best?.epoch ?? null,
    train: null,
    val: best?.val ?? null,
    test: null,
    seconds: 0,
    ...(error !== undefined && { error: toErrorData(error) }),
  });
  return true;
}

/** The project's runs, newest first. A folder whose files cannot be read is passed over. */
export async function listRuns(projectDir: string): Promise<RunInfo[]> {
  const paths = projectPaths(projectDir);
  const ids = (await readdir(paths.runs).catch(() => [] as string[])).filter(isRunId);
  const runs = await Promise.all(ids.map((id) => readRun(paths.run(id), id).catch(() => null)));
  return runs.filter((run): run is RunInfo => run !== null).sort((a, b) => b.config.createdAt.localeCompare(a.config.createdAt));
}

/** The run in `folder`; one without a config.json is not a run. */
export async function readRun(folder: string, id: string): Promise<RunInfo> {
  const files = runPaths(folder);
  const config = (await readJsonFile(files.config)) as RunConfig | null;
  if (config === null) throw new WorkbenchError('run-not-found', `There is no run ${id} in this project`, { field: 'runId' });
  const summary = (await readJsonFile(files.summary)) as RunSummary | null;
  const running = (await readJsonFile(files.running)) as { pid: number; host?: string } | null;
  const slurm = (await readJsonFile(files.slurm)) as SlurmRecord | null;
  // A finished run's summary counts its epochs; only a run without one (training, or cut off) is counted
  // from metrics.jsonl, which holds every batch and is read here on every refresh of the runs list, so
  // its lines are counted rather than parsed.
  const epochs = summary
    ? summary.epochs
    : (await readFile(files.metrics, 'utf8').catch(() => '')).split('\n').filter((line) => line.startsWith('{"kind":"epoch"')).length;
  // A cluster run's process is on another machine: until the cluster is asked (core/cluster), it is
  // running once its process has said so, and queued before. So is a run another machine trains in a
  // shared project folder: only a process on this machine can be checked.
  const elsewhere = running?.host !== undefined && running.host !== hostname();
  const status: RunStatus = summary
    ? summary.status
    : slurm
      ? running
        ? 'running'
        : 'queued'
      : running && (elsewhere || isProcessAlive(running.pid))
        ? 'running'
        : 'interrupted';
  const meta = (await readJsonFile(files.meta)) as Partial<RunMeta> | null;
  return {
    id,
    path: folder,
    status,
    config,
    summary,
    epochs,
    name: typeof meta?.name === 'string' ? meta.name : null,
    tags: Array.isArray(meta?.tags) ? meta.tags.filter((tag) => typeof tag === 'string') : [],
    ...(slurm && { slurm }),
  };
}
