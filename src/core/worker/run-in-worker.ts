import { Worker } from 'node:worker_threads';
import { WorkbenchError } from '../../shared/errors';
import type { JobContext } from '../jobs/job-runner';
import { scratchFolder } from './scratch-folder';
import type { FromWorker, ToWorker, WorkerTaskInput, WorkerTaskName, WorkerTaskResult } from './tasks';

/** How long a cancelled task may take to clean up before its thread is stopped. */
const CANCEL_GRACE_MS = 10_000;

/**
 * Runs a task in its own worker thread and relays its progress into `context`. A crash, or running out of
 * memory, ends only that thread: the job fails with the reason, and the process goes on.
 */
export function runInWorker<T extends WorkerTaskName>(script: string, task: T, input: WorkerTaskInput<T>, context: JobContext): Promise<WorkerTaskResult<T>> {
  return new Promise((resolve, reject) => {
    // A job cancelled before its thread starts must not start it: the abort listener below would never fire.
    if (context.signal.aborted) return reject(context.signal.reason);
    // Its temporary files (tfjs's wasm thread scripts, say) go in a folder removed when it exits: os.tmpdir()
    // reads TMPDIR, or TEMP and TMP on Windows.
    const scratch = scratchFolder();
    const temp = { TMPDIR: scratch.folder, TEMP: scratch.folder, TMP: scratch.folder };
    const worker = new Worker(script, { workerData: { task, input, script }, env: { ...process.env, ...temp } });
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      context.signal.removeEventListener('abort', cancel);
      action();
    };
    const cancel = () => {
      worker.postMessage({ type: 'cancel' } satisfies ToWorker);
      setTimeout(() => void worker.terminate(), CANCEL_GRACE_MS).unref();
    };
    context.signal.addEventListener('abort', cancel, { once: true });

    // The thread runs workerTasks[task], so what it ends with is that task's result.
    worker.on('message', (message: FromWorker<WorkerTaskResult<T>>) => {
      if (message.type === 'progress') context.progress(message.done, message.total, message.message);
      else if (message.type === 'log') context.log(message.message);
      else if (message.type === 'report') context.report?.(message.report);
      else if (message.type === 'done') settle(() => resolve(message.result));
      else if (message.type === 'failed') settle(() => reject(WorkbenchError.fromData(message.error)));
      else settle(() => reject(context.signal.reason));
    });
    worker.on('error', (error) => settle(() => reject(new WorkbenchError('internal', `The ${task} job stopped unexpectedly: ${error.message}`))));
    worker.on('exit', (code) => {
      void scratch.release();
      settle(() =>
        reject(context.signal.aborted ? context.signal.reason : new WorkbenchError('internal', `The ${task} job ended without a result (exit code ${code})`)),
      );
    });
  });
}
