// What every domain's handlers share: the session, the job runner and the way to a worker thread.

import type { ClusterRuns } from '../cluster/cluster-runs';
import type { ComputeHosts } from '../compute/compute-hosts';
import type { ApiMethod, CheckedRequest, ResultOf } from '../../shared/api';
import type { JobContext, JobRunner } from '../jobs/job-runner';
import type { JobSlots } from '../jobs/job-slots';
import type { Session } from '../session/session';
import type { WorkerTaskInput, WorkerTaskName, WorkerTaskResult } from '../worker/tasks';

export interface CoreContext {
  session: Session;
  jobs: JobRunner;
  /** The slots training runs and cross-fits wait for, sized by the user's preference once it has been read. */
  trainingSlots(): Promise<JobSlots>;
  /** The compute pages that train on webgpu and webgl. */
  compute: ComputeHosts;
  /** The slot a run on a compute page waits for: one at a time, as a GPU is best given to one. */
  gpuSlots: JobSlots;
  /** Runs on a Slurm cluster, each followed by a job. */
  clusterRuns: ClusterRuns;
  /** The per-user data folder. */
  dataDir: string;
  /** Runs a task in its own worker thread, off the thread that answers the window. */
  inWorker<T extends WorkerTaskName>(task: T, input: WorkerTaskInput<T>, context: JobContext): Promise<WorkerTaskResult<T>>;
  /** Called when the user changes how many training jobs may run at once. */
  setTrainingJobs(count: number | undefined): void;
}

/** A domain's API methods: each takes its request checked against its declaration, defaults filled in. */
export type Handlers<M extends ApiMethod> = { [K in M]: (request: CheckedRequest<K>) => Promise<ResultOf<K>> };
