// The one contract between the window and the core. Each method is declared once, in `API` below: its
// request as a schema (the type callers send, the reader core checks it with, its defaults and limits)
// and its result type. Every transport, the Workbench and every test fake are built from it.

import { runTargetSchema, type ClusterInfo } from './cluster';
import type { WorkbenchErrorData } from './errors';
import { ANNOTATION_FORMATS, editSchema, type EditResult, type ExportReport } from './annotations';
import { datasetNameSchema, datasetOptionsSchema, type ClassCounts, type DatasetOptions, type DatasetSample, type SplitName } from './dataset';
import { detectOptionsSchema, type PeopleDraft } from './detect';
import type { JobEvent, JobInfo } from './jobs';
import type { PackedAnnotations } from './packed-annotations';
import { preferencesSchema, type Preferences } from './preferences';
import { MEDIA_KEEPS, type FragmentIndex, type ProjectSummary, type RecentProject } from './project';
import { BACKEND_CHOICES, trainingOptionsSchema, type CellCrop, type RunDetails, type RunInfo } from './runs';
import type { AutoBackend, ModelName, TrainingBackend } from './training';
import { sweepRequestSchema } from './sweeps';
import {
  foldBySchema,
  foldsSchema,
  queueTopSchema,
  STRIP_CROPS,
  type BoxExplanation,
  type EntryCrop,
  type KeptLabel,
  type ProjectPredictions,
  type ReviewQueue,
} from './review';
import { decimal, fields, flag, list, oneOf, text, v, whole, type Input, type Output, type Schema } from './schema';

/** Which process hosts the core: the Electron main process, or `maskbench serve` for a browser. */
export type HostKind = 'electron' | 'browser';

export interface AppInfo {
  version: string;
  host: HostKind;
  platform: string;
  /** Whether `chooseProjectFolder` can show a native folder dialog. */
  nativeDialogs: boolean;
  /** In order of preference; the first available one trains. */
  backends: TrainingBackend[];
}

/** What a dataset would hold with these options: counted without cutting a crop. */
export interface DatasetPlanSummary {
  labels: string[];
  counts: Record<SplitName, ClassCounts>;
  warnings: string[];
}

/** A built dataset, with a few of its crops per part and class for a gallery. */
export interface DatasetPreview {
  name: string;
  /** When it was built (ms since 1970): crops of a rebuild keep their names, so the window adds this to their URLs. */
  builtAt: number;
  /** Absolute path of the dataset folder. */
  path: string;
  options: DatasetOptions;
  labels: string[];
  counts: Record<SplitName, ClassCounts>;
  warnings: string[];
  examples: DatasetSample[];
  /** Set on a cross-fit's fold dataset: the run it cross-fitted. */
  foldOf?: string;
}

/** A model as the window offers it: its size and cost at the dataset's input size and class count. */
export interface ModelDescription {
  name: ModelName;
  label: string;
  description: string;
  /** The smallest input size it takes; `fits` is false below it. */
  minSize: number;
  fits: boolean;
  /** Null when it does not fit. */
  params: number | null;
  /** Forward-pass FLOPs per image; null when it does not fit. */
  flops: number | null;
}

/** The type a method resolves to; a phantom, present only for the compiler. */
function returns<T>(): T {
  return undefined as T;
}

const none = v.optional(fields({}), {});
const runId = text('a run id');
const frame = whole(0, Number.MAX_SAFE_INTEGER, 'a frame number from 0');
const trackId = whole(0, Number.MAX_SAFE_INTEGER, 'a track id (a whole number from 0)');
const backendChoice = oneOf(BACKEND_CHOICES);

/** Every method of the API: what it takes and what it resolves to. */
export const API = {
  appInfo: { request: none, result: returns<AppInfo>() },
  /** The project open in this core, if any. */
  currentProject: { request: none, result: returns<ProjectSummary | null>() },
  openProject: { request: fields({ path: text() }), result: returns<ProjectSummary>() },
  /** Shows the host's folder dialog and opens the chosen folder; null when the user cancels. */
  chooseProjectFolder: { request: none, result: returns<ProjectSummary | null>() },
  recentProjects: { request: none, result: returns<RecentProject[]>() },
  /** Where the fragments of the open project's editing proxy lie, for the window to stream them; null when it has none. */
  editingProxyIndex: { request: none, result: returns<FragmentIndex | null>() },
  /**
   * Makes a new project around a video file or a folder of frames and opens it, with no annotations yet:
   * `folder` may be new, empty, or a folder that is not a project; the media is copied into it or
   * referenced where it is (by a path relative to the folder).
   */
  createProject: { request: fields({ folder: text(), media: text(), keep: oneOf(MEDIA_KEEPS) }), result: returns<ProjectSummary>() },
  /** Sets or relinks the open project's video or frame folder (as many frames as its annotations have), and opens it again. */
  setMedia: { request: fields({ media: text(), keep: oneOf(MEDIA_KEEPS) }), result: returns<ProjectSummary>() },
  /**
   * Opens the built-in sample project. Resolves with it when it is ready; resolves null when it must be
   * generated first, as a job whose end opens it (a `project-opened` event follows).
   */
  openSampleProject: { request: none, result: returns<ProjectSummary | null>() },
  /** The open project's annotations (keyframes), packed into columns (unpackAnnotations), or null when it has none yet. */
  annotations: { request: none, result: returns<PackedAnnotations | null>() },
  /** Applies one edit; it is saved within a second and can be undone. */
  editAnnotations: { request: fields({ edit: editSchema }), result: returns<EditResult>() },
  /** Null when there is nothing to undo (or redo). */
  undoEdit: { request: none, result: returns<EditResult | null>() },
  redoEdit: { request: none, result: returns<EditResult | null>() },
  /**
   * Imports annotations into the open project as a job (its result is the import report); the project
   * is opened again when it ends. `replace` is needed when the project has annotations already; a
   * project without media gets it first (setMedia).
   */
  importAnnotations: {
    request: fields({
      source: text(),
      format: v.optional(oneOf(ANNOTATION_FORMATS)),
      linkThreshold: v.optional(decimal(0.01, 1)),
      /** The frames are separate photos (default: when their sizes differ); a linkThreshold links them all the same. */
      stills: v.optional(flag()),
      replace: v.optional(flag(), false),
    }),
    result: returns<JobInfo>(),
  },
  exportAnnotations: { request: fields({ format: oneOf(ANNOTATION_FORMATS), out: text(), force: v.optional(flag(), false) }), result: returns<ExportReport>() },
  /** Counts per part and class for these options, and what would be left out; fast enough to call as settings change. */
  planDataset: { request: fields({ options: v.optional(datasetOptionsSchema, {}) }), result: returns<DatasetPlanSummary>() },
  /** Builds a dataset into the project's datasets/ folder, as a job whose result is its summary. */
  buildDataset: {
    request: fields({ name: datasetNameSchema, options: v.optional(datasetOptionsSchema, {}), force: v.optional(flag(), false) }),
    result: returns<JobInfo>(),
  },
  /** The project's datasets, newest first, each with a few example crops. */
  listDatasets: { request: none, result: returns<DatasetPreview[]>() },
  /** The four architectures with their parameter count and FLOPs at this input size and class count. */
  describeModels: {
    request: v.optional(fields({ size: v.optional(whole(1, 4096), 64), classes: v.optional(whole(2, 1000), 3) }), {}),
    result: returns<ModelDescription[]>(),
  },
  /**
   * What `auto` would train on now (null: nothing is installed). It waits for the compute page to report
   * its GPUs, opening the app's hidden one the first time: ask when training is in view, not at start.
   */
  autoBackend: { request: none, result: returns<AutoBackend | null>() },
  /**
   * Queues a training run on one of the project's datasets; options left out take their defaults.
   * Refused at once when the dataset cannot support it (an empty part, one class, a batch larger than the
   * training set, an input size the model cannot take). The job's result is the run's summary.
   */
  startTraining: { request: fields({ options: trainingOptionsSchema, target: v.optional(runTargetSchema, { on: 'local' }) }), result: returns<JobInfo>() },
  /**
   * Starts a sweep as a job: it builds (or rebuilds) the datasets its grid needs, then queues one training
   * run per combination, all carrying the sweep's name as their group. Its result says which runs were
   * queued and which combinations were refused, and why. On a Slurm cluster, each run is a job there.
   */
  startSweep: { request: fields({ sweep: sweepRequestSchema, target: v.optional(runTargetSchema, { on: 'local' }) }), result: returns<JobInfo>() },
  /** The Slurm profiles the open project can send runs with, and whether sbatch can be run from here. */
  clusterInfo: { request: none, result: returns<ClusterInfo>() },
  /**
   * Submits a run the cluster ended (its time limit, out of memory, a failed node, cancelled) again, as a
   * new run of the same options and group (the ended one is kept), with its profile or the one named.
   */
  resubmitRun: { request: fields({ runId, profile: v.optional(text('a profile name')) }), result: returns<JobInfo>() },
  /** The project's runs, newest first, including running ones and ones cut off by a crash. */
  listRuns: { request: none, result: returns<RunInfo[]>() },
  /** Everything a run recorded: its metrics line by line and its confusion matrices. */
  runDetails: { request: fields({ runId }), result: returns<RunDetails>() },
  /** Names (null or blank clears the name) or tags a run. */
  updateRun: {
    request: fields({
      runId,
      name: v.optional(
        v.nullable(v.pipe(v.string('text of at most 120 characters, or null'), v.trim(), v.maxLength(120, 'text of at most 120 characters, or null'))),
      ),
      tags: v.optional(
        v.pipe(
          v.array(
            v.pipe(
              v.string('a tag of 1 to 40 characters'),
              v.trim(),
              v.minLength(1, 'a tag of 1 to 40 characters'),
              v.maxLength(40, 'a tag of 1 to 40 characters'),
            ),
            'a list of tags',
          ),
          v.maxLength(20, 'at most 20 tags'),
        ),
      ),
    }),
    result: returns<RunInfo>(),
  },
  /**
   * The crops behind one cell of a run's confusion matrix (validation after `epoch`, or the test part),
   * most confident first, with the frame and track each came from.
   */
  confusionCell: {
    request: fields({ runId, split: oneOf(['val', 'test']), epoch: v.optional(whole(1, 100_000), 1), truth: text('a label'), predicted: text('a label') }),
    result: returns<{ crops: CellCrop[]; missing: number; total: number }>(),
  },
  /** Moves a run that is not training to the project's trash/runs/ folder; resolves with where it went. */
  deleteRun: { request: fields({ runId }), result: returns<{ trashedTo: string }>() },
  /**
   * Runs a run's best model over the project's boxes of frames `from` to `to` (default: all) as a job,
   * stored in the run as its 'project' predictions in place of the earlier predictions of the same boxes
   * (a cancelled job: of the boxes it reached). `backend` as for
   * training: `auto` (the default), or one by name, webgpu and webgl on the compute page.
   */
  startPrediction: {
    request: fields({
      runId,
      from: v.optional(frame),
      to: v.optional(frame),
      backend: v.optional(backendChoice, 'auto'),
      target: v.optional(runTargetSchema, { on: 'local' }),
    }),
    result: returns<JobInfo>(),
  },
  /**
   * Cross-fits a run as a job: `folds` models trained as the run was, each without some of the tracks
   * (`by` track) or one stretch of the clip (`by` time), predict what they left out, so every box is
   * scored by a model that never saw it (with track folds, never saw that person). It waits for a
   * training slot (on webgpu or webgl, the GPU's); the result is the run's 'cross-fit' predictions, which
   * the review queue uses. The folds train on `backend`, the run's own when left out. On a Slurm
   * cluster (`target`), the cross-fit is one job there, its folds trained one after another.
   */
  startCrossFit: {
    request: fields({ runId, folds: foldsSchema, by: foldBySchema, backend: v.optional(backendChoice), target: v.optional(runTargetSchema, { on: 'local' }) }),
    result: returns<JobInfo>(),
  },
  /** What the run's own model said of the project's boxes (its last prediction job), or null when it has not predicted. */
  predictions: { request: fields({ runId }), result: returns<ProjectPredictions | null>() },
  /** The stretches of tracks whose label the run's model most doubts, likeliest mistakes first (out of sample once cross-fitted); `top` counts entries. */
  reviewQueue: { request: fields({ runId, top: v.optional(queueTopSchema, 200) }), result: returns<ReviewQueue>() },
  /**
   * Records that the reviewer kept boxes' labels against the run's model, an entry's at once (`keep` false
   * takes it back); kept labels are saved in the run, so a later review finds them decided. Resolves with all kept labels.
   */
  keepLabels: {
    request: fields({ runId, labels: list(fields({ frame, trackId, label: text('a label') }), 'a list of { frame, trackId, label }'), keep: flag() }),
    result: returns<KeptLabel[]>(),
  },
  /** The run's best model on one box: its probabilities and a Grad-CAM heat map over the crop it saw. A newer request stops an older one still at work (it rejects as superseded). */
  explainBox: { request: fields({ runId, frame, trackId, backend: v.optional(backendChoice, 'auto') }), result: returns<BoxExplanation>() },
  /** Some boxes of one track, each cut as the run's dataset cut its crops: the strip of a review entry (see stripFrames). A newer request stops an older one still at work. */
  entryCrops: {
    request: fields({ runId, trackId, frames: v.pipe(list(frame, 'a list of frame numbers'), v.maxLength(STRIP_CROPS, `at most ${STRIP_CROPS} frames`)) }),
    result: returns<EntryCrop[]>(),
  },
  /**
   * Finds the people in the open project's frames (every `every`-th, `from` to `to`) with the bundled
   * detector or the one in the folder `model`, as a job; tracks them, and writes the draft beside the
   * annotations (drafts/people.json), never into them.
   */
  startDetection: { request: fields({ options: detectOptionsSchema }), result: returns<JobInfo>() },
  /** The open project's draft of people, or null when there is none. */
  peopleDraft: { request: none, result: returns<PeopleDraft | null>() },
  /** Removes the draft (accepted tracks are in the annotations already). */
  discardPeopleDraft: { request: none, result: returns<void>() },
  preferences: { request: none, result: returns<Preferences>() },
  savePreferences: { request: fields({ preferences: preferencesSchema }), result: returns<Preferences>() },
  listJobs: { request: none, result: returns<JobInfo[]>() },
  /** A job that only counts, so the event path can be proven end to end. */
  startDemoJob: {
    request: v.optional(fields({ steps: v.optional(whole(1, 10_000), 20), intervalMs: v.optional(whole(0, 10_000), 100) }), {}),
    result: returns<JobInfo>(),
  },
  cancelJob: { request: fields({ jobId: text('a job id') }), result: returns<void>() },
} satisfies Record<string, { request: Schema; result: unknown }>;

export type ApiMethod = keyof typeof API;
/** What a caller sends to `M` (defaulted fields may be left out). */
export type RequestOf<M extends ApiMethod> = Input<(typeof API)[M]['request']>;
/** What `M`'s handler receives: checked, with the defaults filled in. */
export type CheckedRequest<M extends ApiMethod> = Output<(typeof API)[M]['request']>;
export type ResultOf<M extends ApiMethod> = (typeof API)[M]['result'];

export type WorkbenchMethods = {
  [M in ApiMethod]: undefined extends RequestOf<M> ? (request?: RequestOf<M>) => Promise<ResultOf<M>> : (request: RequestOf<M>) => Promise<ResultOf<M>>;
};

/** The runtime list of methods the transports are generated from. */
export const apiMethods = Object.keys(API) as ApiMethod[];

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.hasOwn(API, name);
}

/** Whether the open project's edits are on disk. */
export type SaveState = { state: 'saved' } | { state: 'saving' } | { state: 'error'; error: WorkbenchErrorData };

export type WorkbenchEvent =
  | JobEvent
  | { type: 'project-opened'; project: ProjectSummary }
  | { type: 'annotations-saved'; save: SaveState }
  /** A compute page connected, reported its GPU or went away: webgpu and webgl may be there now, or no longer. */
  | { type: 'compute-pages'; pages: number };

export type Unsubscribe = () => void;

export interface WorkbenchEvents {
  /** Every event of the core, in order; returns a function that stops the listener. */
  onEvent(listener: (event: WorkbenchEvent) => void): Unsubscribe;
}

export type WorkbenchApi = WorkbenchMethods & WorkbenchEvents;

/** What a call returns over a transport: errors travel as data, never as thrown objects. */
export type CallResult = { ok: true; value: unknown } | { ok: false; error: WorkbenchErrorData };
