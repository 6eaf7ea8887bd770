import type { WorkbenchEvent } from '../../src/shared/api';
import type { JobEvent } from '../../src/shared/jobs';
import { Workbench, type HostServices } from '../../src/core/workbench';
import { ROOT } from './built-app';

/** The built worker entry: jobs that run in a worker need `npm run build` first (`npm test` does it). */
export const WORKER_SCRIPT = `${ROOT}/out/main/worker.js`;

export function testWorkbench(dataDir: string, host: HostServices = { kind: 'browser' }): Workbench {
  return new Workbench({ dataDir, host, workerScript: WORKER_SCRIPT });
}

/** The event that ends job `jobId`, once `events` (filled by an onEvent listener) holds it. */
export function jobEnd(events: WorkbenchEvent[], jobId: string): Promise<JobEvent> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const end = events.find(
        (event): event is JobEvent => (event.type === 'job-done' || event.type === 'job-failed' || event.type === 'job-cancelled') && event.jobId === jobId,
      );
      if (!end) return;
      clearInterval(timer);
      resolve(end);
    }, 5);
  });
}
