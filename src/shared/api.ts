// The one contract between the window and the core. Every transport (Electron IPC, the browser-mode
// WebSocket) and every test fake is built from `WorkbenchMethods` and `apiMethods` below; nothing else
// declares an API method. Each method takes one plain request object and resolves to plain data.

import type { WorkbenchErrorData } from './errors';
import type { AnnotationFormat, Edit, EditResult, ExportReport, ProjectAnnotations } from './annotations';
import type { ClassCounts, DatasetOptions, DatasetSample, SplitName } from './dataset';
import type { ProjectSettings } from './project';
import type { CellCrop, RunDetails, RunInfo, TrainingOptions, TrainingReport } from './runs';
import type { ModelName } from './training';
import type { SweepRequest } from './sweeps';
import type { BoxExplanation, KeptLabel, ProjectPredictions, ReviewQueue } from './review';

/** Which process hosts the core: the Electron main process, or `maskbench serve` for a browser. */
export type HostKind = 'electron' | 'browser';

export type TrainingBackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface TrainingBackend {
  name: TrainingBackendName;
  /** The npm package that provides it; it is usable when that package is installed. */
  package: string;
  available: boolean;
  usesGpu: boolean;
}

export interface AppInfo {
  version: string;
  host: HostKind;
  platform: string;
  /** Whether `chooseProjectFolder` can show a native folder dialog. */
  nativeDialogs: boolean;
  /** In order of preference; the first available one trains. */
  backends: TrainingBackend[];
}

export interface ProjectSummary {
  /** Absolute path of the project folder. */
  path: string;
  name: string;
  /** Its project.json; null for a plain folder that has none yet. */
  settings: ProjectSettings | null;
}

export interface RecentProject {
  path: string;
  name: string;
  openedAt: string;
  /** False when the folder has been moved or deleted since. */
  exists: boolean;
}

export type JobKind = 'demo' | 'sample' | 'import' | 'dataset' | 'training' | 'sweep' | 'prediction' | 'cross-fit';
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
  state: JobState;
  progress: JobProgress | null;
  startedAt: string;
  endedAt?: string;
  error?: WorkbenchErrorData;
}

export interface DemoJobRequest {
  /** Progress steps to emit, 1 to 10,000 (default 20). */
  steps?: number;
  /** Pause between steps in milliseconds, 0 to 10,000 (default 100). */
  intervalMs?: number;
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

/** What a sweep job ends with. */
export interface SweepResult {
  group: string;
  /** The training jobs it queued. */
  queued: JobInfo[];
  /** Combinations that could not run (a batch larger than a dataset's training part, say), and why. */
  refused: Array<{ dataset: string; options: string; reason: string }>;
}

/** The user's choices for the window, kept in the data folder (shared by the desktop app and browser mode). */
export interface Preferences {
  /** Shortcut id to the keys the user chose instead of its default, e.g. { "frame.next": "Ctrl+Right" }. */
  keys: Record<string, string>;
  /** Training jobs run at once; absent means one per core on the CPU, one when tfjs-node (GPU or CPU) is installed. */
  trainingJobs?: number;
}

export interface WorkbenchMethods {
  appInfo(): Promise<AppInfo>;
  /** The project open in this core, if any. */
  currentProject(): Promise<ProjectSummary | null>;
  openProject(request: { path: string }): Promise<ProjectSummary>;
  /** Shows the host's folder dialog and opens the chosen folder; null when the user cancels. */
  chooseProjectFolder(): Promise<ProjectSummary | null>;
  recentProjects(): Promise<RecentProject[]>;
  /**
   * Opens the built-in sample project. Resolves with it when it is ready; resolves null when it must be
   * generated first, as a job whose end opens it (a `project-opened` event follows).
   */
  openSampleProject(): Promise<ProjectSummary | null>;
  /** The open project's annotations (keyframes), or null when it has none yet. */
  annotations(): Promise<ProjectAnnotations | null>;
  /** Applies one edit; it is saved within a second and can be undone. */
  editAnnotations(request: { edit: Edit }): Promise<EditResult>;
  /** Null when there is nothing to undo (or redo). */
  undoEdit(): Promise<EditResult | null>;
  redoEdit(): Promise<EditResult | null>;
  /**
   * Imports annotations into the open project as a job (its result is the import report); the project
   * is opened again when it ends. `replace` is needed when the project has annotations already; `media`
   * names the video or frame folder (inside the project) of a project that has none yet.
   */
  importAnnotations(request: { source: string; format?: AnnotationFormat; linkThreshold?: number; replace?: boolean; media?: string }): Promise<JobInfo>;
  exportAnnotations(request: { format: AnnotationFormat; out: string; force?: boolean }): Promise<ExportReport>;
  /** Counts per part and class for these options, and what would be left out; fast enough to call as settings change. */
  planDataset(request: { options: DatasetOptions }): Promise<DatasetPlanSummary>;
  /** Builds a dataset into the project's datasets/ folder, as a job whose result is its summary. */
  buildDataset(request: { name: string; options: DatasetOptions; force?: boolean }): Promise<JobInfo>;
  /** The project's datasets, newest first, each with a few example crops. */
  listDatasets(): Promise<DatasetPreview[]>;
  /** The four architectures with their parameter count and FLOPs at this input size and class count. */
  describeModels(request: { size: number; classes: number }): Promise<ModelDescription[]>;
  /**
   * Queues a training run on one of the project's datasets; options left out take TRAINING_DEFAULTS.
   * Refused at once when the dataset cannot support it (an empty part, one class, a batch larger than the
   * training set, an input size the model cannot take). The job's result is the run's summary.
   */
  startTraining(request: { options: Partial<TrainingOptions> & { dataset: string } }): Promise<JobInfo>;
  /**
   * Starts a sweep as a job: it builds (or rebuilds) the datasets its grid needs, then queues one training
   * run per combination, all carrying the sweep's name as their group. Its result says which runs were
   * queued and which combinations were refused, and why.
   */
  startSweep(request: { sweep: SweepRequest }): Promise<JobInfo>;
  /** The project's runs, newest first, including running ones and ones cut off by a crash. */
  listRuns(): Promise<RunInfo[]>;
  /** Everything a run recorded: its metrics line by line and its confusion matrices. */
  runDetails(request: { runId: string }): Promise<RunDetails>;
  /** Names (null clears the name) or tags a run. */
  updateRun(request: { runId: string; name?: string | null; tags?: string[] }): Promise<RunInfo>;
  /**
   * The crops behind one cell of a run's confusion matrix (validation after `epoch`, or the test part),
   * most confident first, with the frame and track each came from.
   */
  confusionCell(request: { runId: string; split: 'val' | 'test'; epoch: number; truth: string; predicted: string }): Promise<{ crops: CellCrop[]; missing: number; total: number }>;
  /** Moves a run that is not training to the project's trash/runs/ folder; resolves with where it went. */
  deleteRun(request: { runId: string }): Promise<{ trashedTo: string }>;
  /**
   * Runs a run's best model over the project's boxes of frames `from` to `to` (default: all) as a job,
   * stored in the run as its 'project' predictions (marked partial if cancelled).
   */
  startPrediction(request: { runId: string; from?: number; to?: number }): Promise<JobInfo>;
  /**
   * Cross-fits a run as a job: `folds` models (2 to 10, default 3) trained as the run was, each without one
   * stretch of the clip, predict that stretch, so every box is scored by a model that never saw it. It
   * waits for a training slot; the result is the run's 'cross-fit' predictions, which the review queue uses.
   */
  startCrossFit(request: { runId: string; folds?: number }): Promise<JobInfo>;
  /** What the run's own model said of the project's boxes (its last prediction job), or null when it has not predicted. */
  predictions(request: { runId: string }): Promise<ProjectPredictions | null>;
  /** The boxes whose label the run's model most doubts, likeliest mistakes first (out of sample once cross-fitted). */
  reviewQueue(request: { runId: string; top?: number }): Promise<ReviewQueue>;
  /**
   * Records that the reviewer kept a box's label against the run's model (`keep` false takes it back);
   * kept labels are saved in the run, so a later review finds them decided. Resolves with all kept labels.
   */
  keepLabel(request: { runId: string; frame: number; trackId: number; label: string; keep: boolean }): Promise<KeptLabel[]>;
  /** The run's best model on one box: its probabilities and a Grad-CAM heat map over the crop it saw. A newer request stops an older one still at work (it rejects as superseded). */
  explainBox(request: { runId: string; frame: number; trackId: number }): Promise<BoxExplanation>;
  preferences(): Promise<Preferences>;
  savePreferences(request: { preferences: Preferences }): Promise<Preferences>;
  listJobs(): Promise<JobInfo[]>;
  /** A job that only counts, so the event path can be proven end to end. */
  startDemoJob(request: DemoJobRequest): Promise<JobInfo>;
  cancelJob(request: { jobId: string }): Promise<void>;
}

export type ApiMethod = keyof WorkbenchMethods;

/** The runtime list of methods the transports are generated from. */
export const apiMethods = [
  'appInfo',
  'currentProject',
  'openProject',
  'chooseProjectFolder',
  'recentProjects',
  'openSampleProject',
  'annotations',
  'editAnnotations',
  'undoEdit',
  'redoEdit',
  'importAnnotations',
  'exportAnnotations',
  'planDataset',
  'buildDataset',
  'listDatasets',
  'describeModels',
  'startTraining',
  'startSweep',
  'listRuns',
  'runDetails',
  'updateRun',
  'confusionCell',
  'deleteRun',
  'startPrediction',
  'startCrossFit',
  'predictions',
  'reviewQueue',
  'keepLabel',
  'explainBox',
  'preferences',
  'savePreferences',
  'listJobs',
  'startDemoJob',
  'cancelJob',
] as const satisfies readonly ApiMethod[];

// Fails to compile when a method is declared above but missing from `apiMethods`.
type MissingMethods = Exclude<ApiMethod, (typeof apiMethods)[number]>;
const everyMethodListed: [MissingMethods] extends [never] ? true : MissingMethods = true;
void everyMethodListed;

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && (apiMethods as readonly string[]).includes(name);
}

export type JobEvent =
  | { type: 'job-started'; job: JobInfo }
  | { type: 'job-running'; jobId: string }
  | { type: 'job-progress'; jobId: string; progress: JobProgress }
  | { type: 'job-metrics'; jobId: string; report: TrainingReport }
  | { type: 'job-log'; jobId: string; message: string }
  | { type: 'job-done'; jobId: string; result: unknown }
  | { type: 'job-failed'; jobId: string; error: WorkbenchErrorData }
  | { type: 'job-cancelled'; jobId: string };

/** Whether the open project's edits are on disk. */
export type SaveState = { state: 'saved' } | { state: 'saving' } | { state: 'error'; error: WorkbenchErrorData };

export type WorkbenchEvent = JobEvent | { type: 'project-opened'; project: ProjectSummary } | { type: 'annotations-saved'; save: SaveState };

export type Unsubscribe = () => void;

export interface WorkbenchEvents {
  /** Every event of the core, in order; returns a function that stops the listener. */
  onEvent(listener: (event: WorkbenchEvent) => void): Unsubscribe;
}

export type WorkbenchApi = WorkbenchMethods & WorkbenchEvents;

/** What a call returns over a transport: errors travel as data, never as thrown objects. */
export type CallResult = { ok: true; value: unknown } | { ok: false; error: WorkbenchErrorData };
