import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { DemoJobRequest, JobEvent, JobInfo } from '../../../shared/api';
import type { ImportReport } from '../../../shared/annotations';
import { useApi } from '../api/client';
import { useAppStore } from './app';
import { useReviewStore } from './review';
import { useTrainingStore } from './training';

/**
 * Jobs as the core reports them. Events are queued and applied once per animation frame, so a burst of
 * progress costs one render, not one per event.
 */
export const useJobsStore = defineStore('jobs', () => {
  const byId = ref<Record<string, JobInfo>>({});
  /** The report of the last import that finished, for the window to show its problems. */
  const lastImport = ref<ImportReport | null>(null);
  /** Counts finished dataset builds, so the dataset list knows to look again. */
  const datasetsBuilt = ref(0);
  const queue: JobEvent[] = [];
  let flushScheduled = false;

  const list = computed(() => Object.values(byId.value).sort((a, b) => b.startedAt.localeCompare(a.startedAt)));
  /** Queued and running jobs. */
  const active = computed(() => list.value.filter((job) => job.state === 'running' || job.state === 'queued'));

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
        break;
      case 'job-metrics':
        useTrainingStore().receive(event.jobId, event.report);
        break;
      case 'job-progress':
        job.progress = event.progress;
        break;
      case 'job-log':
        break;
      case 'job-done':
        job.state = 'done';
        if (job.kind === 'import') {
          const report = event.result as ImportReport;
          lastImport.value = report;
          app.notify(`Imported ${report.boxes} boxes in ${report.tracks} tracks${report.problems.length ? `, with ${report.problems.length} problems` : ''}`);
        } else {
          if (job.kind === 'dataset') datasetsBuilt.value++;
          app.notify(`${job.title} finished`);
        }
        break;
      case 'job-failed':
        job.state = 'failed';
        job.error = event.error;
        app.notify(`${job.title} failed: ${event.error.message}`, 'error');
        break;
      case 'job-cancelled':
        job.state = 'cancelled';
        app.notify(`${job.title} was cancelled`);
        break;
    }
    // A run's folder changes as its job starts and ends (cross-fitting makes a run per fold): the runs table reads it again then.
    const ended = event.type === 'job-done' || event.type === 'job-failed' || event.type === 'job-cancelled';
    if ((job.kind === 'training' || job.kind === 'cross-fit') && (event.type === 'job-running' || ended)) {
      void useTrainingStore().refresh().catch((error: unknown) => app.report(error));
    }
    // What a prediction wrote, all of it or part, is read back wherever the model is shown.
    if ((job.kind === 'prediction' || job.kind === 'cross-fit') && ended) void useReviewStore().reload().catch((error: unknown) => app.report(error));
  }

  async function startDemo(request: DemoJobRequest): Promise<void> {
    const job = await useApi().startDemoJob(request);
    byId.value[job.id] ??= job;
  }

  async function cancel(jobId: string): Promise<void> {
    await useApi().cancelJob({ jobId });
  }

  return { byId, lastImport, datasetsBuilt, list, active, load, receive, startDemo, cancel };
});
