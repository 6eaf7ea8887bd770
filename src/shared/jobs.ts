// Jobs: each kind's result declared once, so a job's end is typed from the core to the window.

import type { WorkbenchErrorData } from './errors';
import type { ProjectImportReport } from './annotations';
import type { DatasetSummary } from './dataset';
import type { ProjectSummary } from './project';
import type { RunResult, TrainingReport } from './runs';
import type { ProjectPredictions } from './review';
import type { PeopleDraft } from './detect';

/** What a sweep job ends with. */
export interface SweepResult {
  group: string;
  /** The training jobs it queued. */
  queued: JobInfo[];
  /** Combinations that could not run (a batch larger than a dataset's training part, say), and why. */
  refused: Array<{ dataset: string; options: string; reason: string }>;
}

/** The result each kind of job ends with. */
export interface JobResults {
  /** A job that only counts, so the event path can be proven end to end. */
  demo: { steps: number };
  /** The sample project, opened; null when the user opened another project meanwhile. */
  sample: ProjectSummary | null;
  import: ProjectImportReport;
  dataset: DatasetSummary;
  training: RunResult;
  sweep: SweepResult;
  prediction: ProjectPredictions;
  'cross-fit': ProjectPredictions;
  /** People found in the project's frames, as the draft written to drafts/people.json. */
  detect: PeopleDraft;
  /** An editing proxy made for the project at `project`; null when that project's media changed meanwhile. */
  proxy: { project: string; proxy: string | null };
}

export type JobKind = keyof JobResults;
export type JobResult<K extends JobKind = JobKind> = JobResults[K];

/** 'queued' jobs wait for a free slot (training runs as many at once as the machine can take). */
export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobProgress {
  done: number;
  total: number;
  message?: string;
}

export interface JobInfo {
  id: string;
  kind: JobKind;
  title: string;
  /** The project folder the job works on, where that matters to the window (an editing proxy's). */
  project?: string;
  state: JobState;
  progress: JobProgress | null;
  startedAt: string;
  endedAt?: string;
  error?: WorkbenchErrorData;
}

/** A finished job's event: narrowing on `kind` types its result. */
export type JobDone = { [K in JobKind]: { type: 'job-done'; jobId: string; kind: K; result: JobResults[K] } }[JobKind];

export type JobEvent =
  | { type: 'job-started'; job: JobInfo }
  | { type: 'job-running'; jobId: string }
  | { type: 'job-progress'; jobId: string; progress: JobProgress }
  | { type: 'job-metrics'; jobId: string; report: TrainingReport }
  | { type: 'job-log'; jobId: string; message: string }
  | JobDone
  | { type: 'job-failed'; jobId: string; error: WorkbenchErrorData }
  | { type: 'job-cancelled'; jobId: string };
