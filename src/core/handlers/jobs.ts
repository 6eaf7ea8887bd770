// The job list, cancelling, and a demo job that proves the event path end to end.

import { runDemoJob } from '../jobs/demo-job';
import type { CoreContext, Handlers } from './context';

export function jobHandlers({ jobs }: CoreContext): Handlers<'listJobs' | 'startDemoJob' | 'cancelJob'> {
  return {
    listJobs: async () => jobs.list(),
    startDemoJob: async ({ steps, intervalMs }) => jobs.start('demo', `Test job (${steps} steps)`, (context) => runDemoJob(context, steps, intervalMs)),
    cancelJob: async ({ jobId }) => jobs.cancel(jobId),
  };
}
