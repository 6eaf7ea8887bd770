import { defineStore } from 'pinia';
import { computed, getCurrentScope, onScopeDispose, ref } from 'vue';
import type { RequestOf } from '../../../shared/api';
import type { JobDone, JobEvent, JobInfo, JobKind, JobResults } from '../../../shared/jobs';
import type { TrainingReport } from '../../../shared/runs';
import { useApi } from '../api/client';
import { describeForWindow } from '../api/word-error';
import { useAppStore } from './app';
import { counted } from '../../../shared/words';

/** How a job of kind K ended: when done, with its result as that kind declares it; a failed job's error is in `job.error`. */
export type JobEnding<K extends JobKind> = { state: 'done'; job: JobInfo; result: JobResults[K] } | { state: 'failed' | 'cancelled'; job: JobInfo };

/** What the stores that subscribed to one kind of job are told. A handler may return a promise: its failure is reported. */
interface Listeners<K extends JobKind> {
  running: Set<(job: JobInfo) => unknown>;
  metrics: Set<(jobId: string, report: TrainingReport) => unknown>;
  ended: Set<(ending: JobEnding<K>) => unknown>;
}

function noListeners<K extends JobKind>(): Listeners<K> {
  return { running: new Set(), metrics: new Set(), ended: new Set() };
}

/** What the window says when a job is done: an import says what it read. */
/** A pace measured over less than this is too noisy to promise a time by. */
const MIN_PACE_SECONDS = 5;

function doneNotice(job: JobInfo, event: JobDone): string {
  if (event.kind === 'proxy') return 'The editing proxy is ready: the video seeks fast now';
  if (event.kind !== 'import') return `${job.title} finished`;
  const report = event.result;
  // Errors are boxes left out; warnings, what was read otherwise than written (a frame mapping, say).
  const errors = report.problems.filter((problem) => problem.severity === 'error').length;
  const warnings = report.problems.length - errors;
  const found = [errors && counted(errors, 'error'), warnings && counted(warnings, 'warning')].filter(Boolean).join(' and ');
  return `Imported ${counted(report.boxes, 'box', 'boxes')} in ${counted(report.tracks, 'track')}${found ? `, with ${found}` : ''}`;
}

/**
 * Jobs as the core reports them. Events are queued and applied once per animation frame, so a burst of
 * progress costs one render, not one per event. Other stores subscribe to the kinds of job they care
 * about (`onJobEnd` and the like); this store knows none of them.
 */
export const useJobsStore = defineStore('jobs', () => {
  const byId = ref<Record<string, JobInfo>>({});
  const queue: JobEvent[] = [];
  let flushScheduled = false;
  // One entry per kind, typed by its kind: the compiler says when a new kind of job needs one.
  const listeners: { [K in JobKind]: Listeners<K> } = {
    demo: noListeners(),
    sample: noListeners(),
    import: noListeners(),
    dataset: noListeners(),
    training: noListeners(),
    sweep: noListeners(),
    prediction: noListeners(),
    'cross-fit': noListeners(),
    detect: noListeners(),
    proxy: noListeners(),
  };

  /** When each running job's progress was first heard of, and at what count: its pace since gives the time left. */
  const firstProgress = new Map<string, { at: number; done: number }>();

  const list = computed(() => Object.values(byId.value).sort((a, b) => b.startedAt.localeCompare(a.startedAt)));
  /** Queued and running jobs. */
  const active = computed(() => list.value.filter((job) => job.state === 'running' || job.state === 'queued'));

  function listen<H>(sets: Array<Set<H>>, handler: H): void {
    for (const set of sets) set.add(handler);
    // Subscribed from a store's (or component's) setup, the handler goes when that is disposed: a store made again is not told twice.
    if (getCurrentScope()) onScopeDispose(() => sets.forEach((set) => set.delete(handler)));
  }

  /** Calls `handler` when a job of one of `kinds` leaves the queue and starts. */
  function onJobRunning(kinds: readonly JobKind[], handler: (job: JobInfo) => unknown): void {
    listen(
      kinds.map((kind) => listeners[kind].running),
      handler,
    );
  }

  /** Calls `handler` with the figures a job of one of `kinds` streams (training reports them). */
  function onJobMetrics(kinds: readonly JobKind[], handler: (jobId: string, report: TrainingReport) => unknown): void {
    listen(
      kinds.map((kind) => listeners[kind].metrics),
      handler,
    );
  }

  /** Calls `handler` when a job of one of `kinds` is done, fails or is cancelled. */
  function onJobEnd<K extends JobKind>(kinds: readonly K[], handler: (ending: JobEnding<K>) => unknown): void {
    listen(
      kinds.map((kind) => listeners[kind].ended),
      handler,
    );
  }

  /** Calls each handler; one that fails, at once or later, is reported like any failed action and does not keep the others from hearing. */
  function tell<A extends unknown[]>(handlers: Iterable<(...args: A) => unknown>, ...args: A): void {
    for (const handler of handlers) void (async () => handler(...args))().catch((error: unknown) => useAppStore().report(error));
  }

  /** Generic in the kind, so that its subscribers get the ending as their kind types it. */
  function ended<K extends JobKind>(kind: K, ending: JobEnding<K>): void {
    firstProgress.delete(ending.job.id);
    tell(listeners[kind].ended, ending);
  }

  async function load(): Promise<void> {
    for (const job of await useApi().listJobs()) byId.value[job.id] = job;
  }

  function receive(event: JobEvent): void {
    queue.push(event);
    if (flushScheduled) return;
    flushScheduled = true;
    requestAnimationFrame(flush);
  }

  function flush(): void {
    flushScheduled = false;
    for (const event of queue.splice(0)) apply(event);
  }

  function apply(event: JobEvent): void {
    if (event.type === 'job-started') {
      byId.value[event.job.id] = event.job;
      return;
    }
    const job = byId.value[event.jobId];
    if (!job) return;
    const app = useAppStore();
    switch (event.type) {
      case 'job-running':
        job.state = 'running';
        tell(listeners[job.kind].running, job);
        break;
      case 'job-metrics':
        tell(listeners[job.kind].metrics, event.jobId, event.report);
        break;
      case 'job-progress':
        job.progress = event.progress;
        if (!firstProgress.has(job.id)) firstProgress.set(job.id, { at: Date.now(), done: event.progress.done });
        break;
      case 'job-log':
        break;
      case 'job-done':
        job.state = 'done';
        app.notify(doneNotice(job, event));
        ended(event.kind, { state: 'done', job, result: event.result });
        break;
      case 'job-failed':
        job.state = 'failed';
        job.error = event.error;
        app.notify(`${job.title} failed: ${describeForWindow(event.error)}`, 'error');
        ended(job.kind, { state: 'failed', job });
        break;
      case 'job-cancelled':
        job.state = 'cancelled';
        app.notify(`${job.title} was cancelled`);
        ended(job.kind, { state: 'cancelled', job });
        break;
    }
  }

  async function startDemo(request: RequestOf<'startDemoJob'>): Promise<void> {
    const job = await useApi().startDemoJob(request);
    byId.value[job.id] ??= job;
  }

  /**
   * About how many seconds a running job has left, at its pace since its progress was first heard of
   * (a job that waited in the queue is not judged by its wait); null until a few seconds of pace are known.
   */
  function secondsLeft(job: JobInfo, now = Date.now()): number | null {
    const first = firstProgress.get(job.id);
    if (job.state !== 'running' || !first || !job.progress) return null;
    const { done, total } = job.progress;
    const elapsed = (now - first.at) / 1000;
    if (elapsed < MIN_PACE_SECONDS || done <= first.done || done >= total) return null;
    return (elapsed / (done - first.done)) * (total - done);
  }

  async function cancel(jobId: string): Promise<void> {
    await useApi().cancelJob({ jobId });
  }

  return { byId, list, active, load, receive, onJobRunning, onJobMetrics, onJobEnd, secondsLeft, startDemo, cancel };
});
