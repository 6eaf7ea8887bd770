// Work that runs in a worker thread, off the process that talks to the window. Each task takes plain
// data and a JobContext, like any job. The table names every domain's work, so it sits above them all,
// beside the thread's entry, rather than in jobs/, which the domains use.

import type { DatasetOptions } from '../../shared/dataset';
import { buildDataset } from '../dataset/build-dataset';
import { importIntoProject, type ImportIntoProjectOptions } from '../project/import-into-project';
import { generateSample } from '../sample/generate-sample';
import type { WorkbenchErrorData } from '../../shared/errors';
import type { SampleOptions } from '../sample/sample-options';
import type { JobContext } from '../jobs/job-runner';
import type { TrainingReport } from '../../shared/runs';
import { trainRun, type TrainRunInput } from '../training/train-run';
import type { ReplicaInput, StartReplica } from '../training/parallel/data-parallel';
import { runReplica } from '../training/parallel/replica';
import type { CrossFitInput } from '../review/cross-fit';
import { predictProject, type PredictInput } from '../review/predict-project';
import { explainBox, type ExplainInput } from '../review/explain-box';
import { crossFitHere, openHere } from '../review/run-here';
import { detectProject } from '../detect/detect-project';
import type { DetectOptions } from '../../shared/detect';
import { runInWorker } from './run-in-worker';

/** Starts a training run's other data-parallel workers as threads of `script`, each running trainReplica. */
export function replicasFrom(script: string): StartReplica {
  const quiet = { signal: new AbortController().signal, progress: () => {}, log: () => {} };
  return (input) => runInWorker(script, 'trainReplica', input, quiet);
}

/** A job in a worker thread starts them from its own script; elsewhere a run trains in its thread alone. */
const replicasOf = (context: JobContext) => (context.workerScript ? replicasFrom(context.workerScript) : undefined);

export const workerTasks = {
  sample: (input: { target: string; options: SampleOptions; force: boolean }, context: JobContext) =>
    generateSample(input.target, input.options, context, input.force),
  import: (input: { project: string; source: string; options: ImportIntoProjectOptions }) => importIntoProject(input.project, input.source, input.options),
  dataset: (input: { project: string; name: string; options: DatasetOptions; force: boolean }, context: JobContext) =>
    buildDataset(input.project, input.name, input.options, context, input.force),
  train: (input: TrainRunInput, context: JobContext) => trainRun(input, context, replicasOf(context)),
  /** Another worker of a data-parallel training run, started by the run's own worker. */
  trainReplica: (input: ReplicaInput) => runReplica(input),
  predict: (input: PredictInput, context: JobContext) => predictProject(input, context, openHere(input.backend)),
  crossFit: (input: CrossFitInput, context: JobContext) => crossFitHere(input, context, replicasOf(context)),
  detect: (input: { project: string; options: DetectOptions }, context: JobContext) => detectProject(input.project, input.options, context, openHere()),
  explain: (input: ExplainInput, context: JobContext) => explainBox(input, openHere(input.backend), context.signal),
};

export type WorkerTaskName = keyof typeof workerTasks;
export type WorkerTaskInput<T extends WorkerTaskName> = Parameters<(typeof workerTasks)[T]>[0];
export type WorkerTaskResult<T extends WorkerTaskName> = Awaited<ReturnType<(typeof workerTasks)[T]>>;

/** Messages between a job and its worker. */
export type ToWorker = { type: 'cancel' };
export type FromWorker<Result = unknown> =
  | { type: 'progress'; done: number; total: number; message?: string }
  | { type: 'log'; message: string }
  | { type: 'report'; report: TrainingReport }
  | { type: 'done'; result: Result }
  | { type: 'failed'; error: WorkbenchErrorData }
  | { type: 'cancelled' };
