// Which backend the compute page's jobs hold. tfjs has one current backend per page, so jobs on the same
// backend share the page while a job on another waits (core waits for an idle page) or is refused.

import { WorkbenchError } from '../shared/errors';
import type { HostBackendName } from '../shared/training';

export class BackendClaims {
  private readonly working = new Map<string, HostBackendName>();

  /** Takes `backend` for the job, throwing (the backend at work named) when another job holds a different one. */
  claim(jobId: string, backend: HostBackendName): void {
    const other = [...this.working.values()].find((name) => name !== backend);
    if (other)
      throw new WorkbenchError('backend-unavailable', `The compute page is busy on ${other}; work on ${backend} can start once that is done`, {
        field: 'backend',
      });
    this.working.set(jobId, backend);
  }

  release(jobId: string): void {
    this.working.delete(jobId);
  }
}
