// The entry point of every worker thread (built to out/main/worker.js). It runs one task and reports
// through messages; the job on the other side turns them into job events.

import { parentPort, workerData } from 'node:worker_threads';
import { toErrorData } from '../../shared/errors';
import type { JobContext } from '../jobs/job-runner';
import { workerTasks, type FromWorker, type ToWorker, type WorkerTaskInput, type WorkerTaskName } from './tasks';

// `script`: this thread's own, which runInWorker passes on; absent where a test starts the thread by hand.
const { task, input, script } = workerData as { task: WorkerTaskName; input: WorkerTaskInput<WorkerTaskName>; script?: string };
const port = parentPort!;
const controller = new AbortController();
const post = (message: FromWorker) => port.postMessage(message);

port.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') controller.abort();
});

// The task and its input were paired by runInWorker's types; here they arrive as plain data.
const run = workerTasks[task] as (input: unknown, context: JobContext) => Promise<unknown>;
run(input, {
  signal: controller.signal,
  ...(script ? { workerScript: script } : {}),
  progress: (done, total, message) => post({ type: 'progress', done, total, message }),
  log: (message) => post({ type: 'log', message }),
  report: (report) => post({ type: 'report', report }),
})
  .then(
    (result) => post({ type: 'done', result }),
    (error: unknown) => post(controller.signal.aborted ? { type: 'cancelled' } : { type: 'failed', error: toErrorData(error) }),
  )
  .finally(() => port.close());
