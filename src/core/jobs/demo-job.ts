import { setTimeout as sleep } from 'node:timers/promises';
import type { JobContext } from './job-runner';

/** Counts to `steps`, pausing `intervalMs` between steps; proves the job event path end to end. */
export async function runDemoJob(context: JobContext, steps: number, intervalMs: number): Promise<{ steps: number }> {
  for (let step = 1; step <= steps; step++) {
    await sleep(intervalMs, undefined, { signal: context.signal });
    context.progress(step, steps, `Step ${step} of ${steps}`);
  }
  return { steps };
}
