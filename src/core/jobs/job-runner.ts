// Runs long work as jobs: each has an id, streams typed events, and can be cancelled. Progress is
// throttled here, once for every kind of job, so producers can report as often as they like.

import { randomUUID } from 'node:crypto';
import type { JobDone, JobEvent, JobInfo, JobKind, JobProgress, JobResult } from '../../shared/jobs';
import type { TrainingReport } from '../../shared/runs';
import { WorkbenchError, toErrorData } from '../../shared/errors';
import { Emitter } from '../util/event-emitter';
import type { JobSlots, Slot } from './job-slots';

export interface JobContext {
  /** Aborted when the job is cancelled; pass it to anything that waits. */
  signal: AbortSignal;
  progress(done: number, total: number, message?: string): void;
  log(message: string): void;
  /** Training figures; the producer throttles batch figures itself. */
  report?(report: TrainingReport): void;
  /** The cores the job was given to compute on, for a job that waited for slots. */
  cores?: number;
  /** In a worker thread, the script it runs (out/main/worker.js), for a job that starts threads of its own. */
  workerScript?: string;
}

export type JobWork<Result> = (context: JobContext) => Promise<Result>;

/** Why cancelAll stops jobs: the app is closing. Work that goes on elsewhere (a Slurm cluster's) is left to go on, not cancelled. */
export class AppClosing extends Error {
  constructor() {
    super('Maskbench is closing');
  }
}

/** Whether the job was stopped because the app is closing, rather than cancelled by the user. */
export function appClosing(signal: AbortSignal): boolean {
  return signal.reason instanceof AppClosing;
}

/** At most this many progress events a second per job, plus the last one before the job ends. */
const PROGRESS_EVENTS_PER_SECOND = 8;
/** Finished jobs kept for listJobs; older ones are forgotten. */
const FINISHED_KEPT = 50;

interface RunningJob {
  info: JobInfo;
  controller: AbortController;
  lastProgressAt: number;
  pendingProgress: JobProgress | null;
  /** Sends a throttled progress event later, so the latest value is never held back for long. */
  progressTimer: ReturnType<typeof setTimeout> | null;
  /** Settles when the job has ended, whichever way. */
  ended: Promise<void>;
}

export class JobRunner {
  private readonly jobs = new Map<string, RunningJob>();
  private readonly events = new Emitter<JobEvent>();

  constructor(private readonly now: () => number = Date.now) {}

  subscribe(listener: (event: JobEvent) => void): () => void {
    return this.events.subscribe(listener);
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((job) => structuredClone(job.info));
  }

  /** Starts `work` now, or with `slots` once one is free (the job is 'queued' until then); `project` is the project it is about, if one. */
  start<K extends JobKind>(kind: K, title: string, work: JobWork<JobResult<K>>, { slots, project }: { slots?: JobSlots; project?: string } = {}): JobInfo {
    const job: RunningJob = {
      info: {
        id: randomUUID(),
        kind,
        title,
        ...(project !== undefined && { project }),
        state: slots ? 'queued' : 'running',
        progress: null,
        startedAt: new Date(this.now()).toISOString(),
      },
      controller: new AbortController(),
      lastProgressAt: -Infinity,
      pendingProgress: null,
      progressTimer: null,
      ended: Promise.resolve(),
    };
    this.jobs.set(job.info.id, job);
    this.emit({ type: 'job-started', job: structuredClone(job.info) });
    job.ended = this.run(job, kind, work, slots);
    return structuredClone(job.info);
  }

  /** Stops every running job (see AppClosing) and waits (up to `timeoutMs`) for them to clean up: for quitting. */
  async cancelAll(timeoutMs: number): Promise<void> {
    const running = [...this.jobs.values()].filter((job) => isActive(job.info));
    for (const job of running) job.controller.abort(new AppClosing());
    const ended = Promise.all(running.map((job) => job.ended));
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }

  /** Asks a running job to stop; its `job-cancelled` event follows once its work has returned. */
  cancel(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (!job) throw new WorkbenchError('job-not-found', `There is no job with id ${jobId}`, { field: 'jobId' });
    if (isActive(job.info)) job.controller.abort();
  }

  private async run<K extends JobKind>(job: RunningJob, kind: K, work: JobWork<JobResult<K>>, slots?: JobSlots): Promise<void> {
    const { signal } = job.controller;
    let slot: Slot | null = null;
    if (slots) {
      try {
        slot = await slots.acquire(signal);
      } catch {
        return this.finish(job, 'cancelled', { type: 'job-cancelled', jobId: job.info.id });
      }
      job.info.state = 'running';
      this.emit({ type: 'job-running', jobId: job.info.id });
    }
    const context: JobContext = {
      signal,
      progress: (done, total, message) => {
        if (signal.aborted) return;
        job.pendingProgress = message === undefined ? { done, total } : { done, total, message };
        const wait = job.lastProgressAt + 1000 / PROGRESS_EVENTS_PER_SECOND - this.now();
        if (wait <= 0) this.flushProgress(job);
        else job.progressTimer ??= setTimeout(() => this.flushProgress(job), wait);
      },
      log: (message) => {
        if (!signal.aborted) this.emit({ type: 'job-log', jobId: job.info.id, message });
      },
      report: (report) => {
        if (!signal.aborted) this.emit({ type: 'job-metrics', jobId: job.info.id, report });
      },
      ...(slot ? { cores: slot.cores } : {}),
    };
    try {
      // Work that finished is done, even if a cancel came too late to stop it.
      const result = await work(context);
      this.flushProgress(job, true);
      this.finish(job, 'done', doneEvent(job.info.id, kind, result));
    } catch (error) {
      if (signal.aborted) return this.finish(job, 'cancelled', { type: 'job-cancelled', jobId: job.info.id });
      const data = toErrorData(error);
      if (data.code === 'internal') console.error(`Job ${job.info.title} failed:`, error);
      this.flushProgress(job);
      job.info.error = data;
      this.finish(job, 'failed', { type: 'job-failed', jobId: job.info.id, error: data });
    } finally {
      slot?.release();
    }
  }

  private flushProgress(job: RunningJob, final = false): void {
    if (job.progressTimer) clearTimeout(job.progressTimer);
    job.progressTimer = null;
    if (!job.pendingProgress || job.info.state !== 'running' || (job.controller.signal.aborted && !final)) return;
    job.info.progress = job.pendingProgress;
    job.pendingProgress = null;
    job.lastProgressAt = this.now();
    this.emit({ type: 'job-progress', jobId: job.info.id, progress: job.info.progress });
  }

  private finish(job: RunningJob, state: JobInfo['state'], event: JobEvent): void {
    if (job.progressTimer) clearTimeout(job.progressTimer);
    job.info.state = state;
    job.info.endedAt = new Date(this.now()).toISOString();
    this.emit(event);
    const finished = [...this.jobs.values()].filter((other) => !isActive(other.info));
    for (const old of finished.slice(0, Math.max(0, finished.length - FINISHED_KEPT))) this.jobs.delete(old.info.id);
  }

  private emit(event: JobEvent): void {
    this.events.emit(event);
  }
}

function isActive(info: JobInfo): boolean {
  return info.state === 'queued' || info.state === 'running';
}

/** `start` pairs each kind with its result type; the compiler cannot follow that pairing into the union. */
function doneEvent<K extends JobKind>(jobId: string, kind: K, result: JobResult<K>): JobDone {
  return { type: 'job-done', jobId, kind, result } as JobDone;
}
