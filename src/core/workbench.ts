// The one implementation of WorkbenchApi. Both transports call into an instance of this class, so
// everything the window can do is testable here in plain Node.

import { homedir } from 'node:os';
import { basename, join, parse, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import type { AppInfo, DatasetPlanSummary, DatasetPreview, DemoJobRequest, HostKind, JobInfo, ModelDescription, Preferences, ProjectSummary, RecentProject, SweepResult, WorkbenchApi, WorkbenchEvent } from '../shared/api';
import type { SweepRequest } from '../shared/sweeps';
import type { BoxExplanation, KeptLabel, ProjectPredictions, ReviewQueue } from '../shared/review';
import type { CellCrop, RunDetails, RunInfo, TrainingOptions } from '../shared/runs';
import { MODEL_NAMES, MODELS } from '../shared/training';
import type { DatasetOptions } from '../shared/dataset';
import { ANNOTATION_FORMATS, type AnnotationFormat, type Edit, type EditResult, type ExportReport, type ProjectAnnotations } from '../shared/annotations';
import { DEFAULT_LABELS } from '../shared/project';
import { PROJECT_FILE } from '../shared/project';
import { WorkbenchError, toErrorData } from '../shared/errors';
import { version } from '../../package.json';
import { runDemoJob } from './jobs/demo-job';
import { JobRunner } from './jobs/job-runner';
import { MediaRoots } from './media/media-roots';
import { loadProjectFolder } from './project/project-folder';
import { RecentProjects } from './project/recent-projects';
import { RequestReader } from './request-reader';
import { detectBackends } from './training/backend-list';
import { readPreferences, writePreferences } from './preferences';
import { validateDatasetOptions } from './dataset/dataset-options';
import { listDatasets } from './dataset/list-datasets';
import { planDataset } from './dataset/plan-dataset';
import { readDatasetOptions } from './dataset/read-options';
import { runInWorker } from './jobs/run-in-worker';
import { exportAnnotations } from './annotations/export-annotations';
import { readEdit } from './annotations/read-edit';
import { isFile, isWithin } from './fs/paths';
import { ANNOTATIONS_FILE, AnnotationStore, HISTORY_DIR } from './project/annotation-store';
import type { ImportIntoProjectOptions } from './project/import-into-project';
import { SAMPLE_GENERATOR_VERSION } from './sample/generate-sample';
import { sweepLeftovers } from './fs/replace';
import { SAMPLE_DEFAULTS } from './sample/sample-options';
import { Emitter } from './event-emitter';
import { JobSlots } from './jobs/job-slots';
import { modelCost } from './training/models/catalog';
import { preflight, readTrainingOptions } from './training/training-options';
import { expandSweep, readSweepRequest } from './training/sweep';
import { listRuns, newRunId, recordCrash, runFolder } from './runs/run-folder';
import { confusionCell, findRun, readRunDetails, trashRun, updateRunMeta } from './runs/manage-runs';
import { checkLabels, datasetOf } from './review/prediction-files';
import { keepLabel, readPredictions, reviewRun } from './review/review-run';

/** What the host process can do that plain Node cannot. */
export interface HostServices {
  kind: HostKind;
  /** A native folder dialog; absent in browser mode. Resolves to null when the user cancels. */
  chooseFolder?: (title: string) => Promise<string | null>;
}

/**
 * Whether the window may open any folder by path. In browser mode the user types paths (and holds the
 * server's token); in the desktop app paths come only from the dialog, the recent list and the sample,
 * so a page that misbehaves cannot turn an arbitrary folder into a served media root.
 */
function trustsTypedPaths(host: HostServices): boolean {
  return host.kind === 'browser';
}

export interface WorkbenchOptions {
  /** The per-user data folder (see defaultDataDir). */
  dataDir: string;
  host: HostServices;
  /** The built worker-thread entry (out/main/worker.js), which runs heavy jobs off this thread. */
  workerScript: string;
}

/** Methods for the host process only (never reachable from the window: dispatch serves `apiMethods` alone). */
export const hostOnlyMethods = ['openProjectFromHost', 'importAnnotationsFromHost', 'exportAnnotationsFromHost', 'shutdown'] as const;

export class Workbench implements WorkbenchApi {
  readonly mediaRoots = new MediaRoots();
  private readonly jobs = new JobRunner();
  private readonly recent: RecentProjects;
  private readonly events = new Emitter<WorkbenchEvent>();
  private project: ProjectSummary | null = null;
  /** The heat map being made, stopped when another is asked for. */
  private explaining: AbortController | null = null;
  /** Counts opens, so a job that opens a project when it ends can tell whether the user opened another meanwhile. */
  private opens = 0;
  /** Folders the user chose in the host's dialog (and the host opened itself): openable in the desktop app. */
  private readonly chosen = new Set<string>();
  /** The open project's annotations; null when it has none (or no project is open, or an import is writing them). */
  private store: AnnotationStore | null = null;
  private importing = false;
  /** The trainingJobs preference, read once and kept in step by savePreferences. */
  private trainingJobs: number | undefined;
  private readonly trainingSlots = new JobSlots(() => this.trainingJobs ?? defaultTrainingJobs());

  constructor(private readonly options: WorkbenchOptions) {
    this.recent = new RecentProjects(options.dataDir);
    this.jobs.subscribe((event) => this.events.emit(event));
  }

  async appInfo(): Promise<AppInfo> {
    return {
      version,
      host: this.options.host.kind,
      platform: process.platform,
      nativeDialogs: this.options.host.chooseFolder !== undefined,
      backends: detectBackends(),
    };
  }

  async currentProject(): Promise<ProjectSummary | null> {
    return this.project;
  }

  async openProject(request: { path: string }): Promise<ProjectSummary> {
    const reader = new RequestReader('openProject', request);
    const path = reader.string('path');
    reader.end();
    if (!trustsTypedPaths(this.options.host) && !(await this.#isKnownFolder(path))) {
      throw new WorkbenchError('forbidden-path', `${path} was not chosen in the Open dialog: open it with File > Open Project…`, { field: 'path' });
    }
    return this.#openFolder(path);
  }

  /** Lets the host itself open a folder the window could not name (a command-line argument). */
  async openProjectFromHost(path: string): Promise<ProjectSummary> {
    this.chosen.add(resolve(path));
    return this.#openFolder(path);
  }

  async chooseProjectFolder(): Promise<ProjectSummary | null> {
    const chooseFolder = this.options.host.chooseFolder;
    if (!chooseFolder) throw new WorkbenchError('unsupported', 'This host has no folder dialog: type the project folder’s path instead');
    const path = await chooseFolder('Open a project folder');
    return path === null ? null : this.openProjectFromHost(path);
  }

  async #isKnownFolder(path: string): Promise<boolean> {
    const absolute = resolve(path);
    if (this.chosen.has(absolute) || absolute === this.sampleProjectDir) return true;
    return (await this.recent.list()).some((entry) => entry.path === absolute);
  }

  async #openFolder(path: string): Promise<ProjectSummary> {
    const project = await loadProjectFolder(path);
    if (project.path === parse(project.path).root || project.path === homedir()) {
      throw new WorkbenchError('forbidden-path', `${project.path} is too wide to be a project folder: choose the folder that holds the video and its annotations`, { file: project.path });
    }
    // The project being left (or reopened) keeps every edit: it is written before anything is read.
    await this.store?.flush();
    this.store = await AnnotationStore.load(project.path, labelNames(project), (save) => this.events.emit({ type: 'annotations-saved', save }));
    if (this.project) this.mediaRoots.remove(this.project.path);
    this.project = project;
    this.opens++;
    this.mediaRoots.add(project.path);
    // The recent list is a convenience: failing to update it must not undo the open.
    await this.recent.add(project).catch((error: unknown) => console.warn('Could not update the recent projects:', error));
    this.events.emit({ type: 'project-opened', project });
    return project;
  }

  async recentProjects(): Promise<RecentProject[]> {
    return this.recent.list();
  }

  /** Where the built-in sample project lives; a new generator version gets a new folder. */
  get sampleProjectDir(): string {
    return join(this.options.dataDir, 'samples', `walkway-v${SAMPLE_GENERATOR_VERSION}`);
  }

  async openSampleProject(): Promise<ProjectSummary | null> {
    if (await isFile(join(this.sampleProjectDir, PROJECT_FILE))) return this.#openFolder(this.sampleProjectDir);
    if (!this.jobs.list().some((job) => job.kind === 'sample' && job.state === 'running')) {
      const input = { target: this.sampleProjectDir, options: SAMPLE_DEFAULTS, force: true };
      const opensBefore = this.opens;
      this.jobs.start('sample', 'Preparing the sample project', async (context) => {
        await sweepLeftovers(this.sampleProjectDir);
        await runInWorker(this.options.workerScript, 'sample', input, context);
        // The user may have opened their own project meanwhile; then the sample waits for them.
        return this.opens === opensBefore ? this.#openFolder(this.sampleProjectDir) : null;
      });
    }
    return null;
  }

  /** Stops running jobs and lets them clean up (within a few seconds), and writes pending edits: call before the process exits. */
  async shutdown(): Promise<void> {
    await Promise.all([this.jobs.cancelAll(5000), this.store?.flush()]);
  }

  async annotations(): Promise<ProjectAnnotations | null> {
    return this.store?.annotations ?? null;
  }

  async editAnnotations(request: { edit: Edit }): Promise<EditResult> {
    const reader = new RequestReader('editAnnotations', request);
    const edit = readEdit(reader.raw('edit'));
    reader.end();
    return this.#store().apply(edit);
  }

  async undoEdit(): Promise<EditResult | null> {
    return this.#store().undo();
  }

  async redoEdit(): Promise<EditResult | null> {
    return this.#store().redo();
  }

  async importAnnotations(request: { source: string; format?: AnnotationFormat; linkThreshold?: number; replace?: boolean; media?: string }): Promise<JobInfo> {
    const reader = new RequestReader('importAnnotations', request);
    const source = reader.string('source');
    const format = reader.choice('format', ANNOTATION_FORMATS, true);
    const linkThreshold = reader.optionalNumber('linkThreshold', 0.01, 1);
    const replace = reader.optionalBoolean('replace');
    const media = reader.optionalString('media');
    reader.end();
    this.#checkUserPath(this.#project(), source, 'source');
    return this.#import(source, { ...(format ? { format } : {}), ...(linkThreshold !== undefined ? { linkThreshold } : {}), ...(media ? { media } : {}), force: replace });
  }

  /** For the host's own File menu: a path the user chose in its dialog, which may lie outside the project. */
  async importAnnotationsFromHost(source: string): Promise<JobInfo> {
    return this.#import(source, { force: true });
  }

  async exportAnnotationsFromHost(format: AnnotationFormat, out: string): Promise<ExportReport> {
    return this.#export(format, out, true);
  }

  async #import(source: string, options: ImportIntoProjectOptions): Promise<JobInfo> {
    const project = this.#project();
    if (this.importing) throw new WorkbenchError('invalid-request', 'An import is already running: wait for it to end');
    await this.store?.flush();
    // The worker writes annotations.json; nothing may edit (and autosave over) it meanwhile.
    this.importing = true;
    this.store = null;
    return this.jobs.start('import', `Importing ${basename(source)}`, async (context) => {
      try {
        return await runInWorker(this.options.workerScript, 'import', { project: project.path, source, options }, context);
      } finally {
        this.importing = false;
        // Opened again, so the window sees the new annotations (or the old ones, if the import failed).
        if (this.project?.path === project.path) await this.#openFolder(project.path);
      }
    });
  }

  async exportAnnotations(request: { format: AnnotationFormat; out: string; force?: boolean }): Promise<ExportReport> {
    const reader = new RequestReader('exportAnnotations', request);
    const format = reader.choice('format', ANNOTATION_FORMATS)!;
    const out = reader.string('out');
    const force = reader.optionalBoolean('force');
    reader.end();
    this.#checkUserPath(this.#project(), out, 'out');
    return this.#export(format, out, force);
  }

  async #export(format: AnnotationFormat, out: string, force: boolean): Promise<ExportReport> {
    const project = this.#project();
    const settings = project.settings;
    const media = settings?.media?.path.split('/').pop();
    const owned = [PROJECT_FILE, ANNOTATIONS_FILE, HISTORY_DIR, 'imports', ...(settings?.media ? [settings.media.path] : [])];
    return exportAnnotations(this.#store().annotations, format, out, {
      name: project.name,
      labels: settings?.labels ?? [...DEFAULT_LABELS],
      force,
      project: { folder: project.path, protected: owned },
      ...(media ? { source: media } : {}),
    });
  }

  #project(): ProjectSummary {
    if (!this.project) throw new WorkbenchError('invalid-request', 'No project is open');
    return this.project;
  }

  #store(): AnnotationStore {
    if (this.importing) throw new WorkbenchError('invalid-request', 'An import is replacing the annotations: edit again when it ends');
    if (!this.store) throw new WorkbenchError('invalid-request', 'The open project has no annotations yet: import some first');
    return this.store;
  }

  /** In the desktop app, paths the window sends must lie in the project (dialogs that pick others come with the annotator's view). */
  #checkUserPath(project: ProjectSummary, path: string, field: string): void {
    if (!trustsTypedPaths(this.options.host) && !isWithin(project.path, resolve(path))) {
      throw new WorkbenchError('forbidden-path', `${path} is outside the project folder`, { field });
    }
  }

  async planDataset(request: { options: DatasetOptions }): Promise<DatasetPlanSummary> {
    const reader = new RequestReader('planDataset', request);
    const options = readDatasetOptions(reader.raw('options'));
    reader.end();
    const annotations = this.#store().annotations;
    validateDatasetOptions(options, annotations.frameCount);
    const { labels, counts, warnings } = planDataset(annotations, options);
    return { labels, counts, warnings };
  }

  async buildDataset(request: { name: string; options: DatasetOptions; force?: boolean }): Promise<JobInfo> {
    const reader = new RequestReader('buildDataset', request);
    const name = reader.string('name');
    const options = readDatasetOptions(reader.raw('options'));
    const force = reader.optionalBoolean('force');
    reader.end();
    const project = this.#project();
    validateDatasetOptions(options, this.#store().annotations.frameCount);
    // The worker reads annotations.json: it must hold every edit made so far.
    await this.store?.flush();
    return this.jobs.start('dataset', `Building the dataset ${name}`, (context) => runInWorker(this.options.workerScript, 'dataset', { project: project.path, name, options, force }, context));
  }

  async listDatasets(): Promise<DatasetPreview[]> {
    return this.project ? listDatasets(this.project.path) : [];
  }

  async describeModels(request: { size: number; classes: number }): Promise<ModelDescription[]> {
    const reader = new RequestReader('describeModels', request);
    const size = reader.optionalInt('size', 1, 4096, 64);
    const classes = reader.optionalInt('classes', 2, 1000, 3);
    reader.end();
    return MODEL_NAMES.map((name) => {
      const { label, description, minSize } = MODELS[name];
      const cost = size >= minSize ? modelCost(name, { size, classes }) : null;
      return { name, label, description, minSize, fits: cost !== null, params: cost?.params ?? null, flops: cost?.flops ?? null };
    });
  }

  async startTraining(request: { options: Partial<TrainingOptions> & { dataset: string } }): Promise<JobInfo> {
    const reader = new RequestReader('startTraining', request);
    const options = readTrainingOptions(reader.raw('options'));
    reader.end();
    const project = this.#project();
    await preflight(project.path, options);
    return this.#queueTraining(project.path, options, null);
  }

  async startSweep(request: { sweep: SweepRequest }): Promise<JobInfo> {
    const reader = new RequestReader('startSweep', request);
    const sweep = readSweepRequest(reader.raw('sweep'));
    reader.end();
    const project = this.#project();
    const runs = expandSweep(sweep);
    const datasets = [...new Map(runs.map((run) => [run.datasetName, run.datasetOptions])).entries()];
    for (const [, options] of datasets) validateDatasetOptions(options, this.#store().annotations.frameCount);
    await this.store?.flush();
    return this.jobs.start('sweep', `Sweep ${sweep.name} (${runs.length} runs)`, async (context): Promise<SweepResult> => {
      for (const [index, [name, options]] of datasets.entries()) {
        context.progress(index, datasets.length, `Building the dataset ${name}`);
        // Rebuilding copies the crops that did not change, so a sweep run again costs little here.
        await runInWorker(this.options.workerScript, 'dataset', { project: project.path, name, options, force: true }, context);
      }
      const result: SweepResult = { group: sweep.name, queued: [], refused: [] };
      for (const run of runs) {
        try {
          await preflight(project.path, run.options);
          result.queued.push(await this.#queueTraining(project.path, run.options, sweep.name));
        } catch (error) {
          const { model, learningRate, batchSize } = run.options;
          result.refused.push({ dataset: run.datasetName, options: `${model}, lr ${learningRate}, batch ${batchSize}`, reason: toErrorData(error).message });
        }
      }
      context.progress(datasets.length, datasets.length, `Queued ${result.queued.length} runs`);
      return result;
    });
  }

  async #queueTraining(projectDir: string, options: TrainingOptions, group: string | null): Promise<JobInfo> {
    this.trainingJobs ??= (await readPreferences(this.options.dataDir)).trainingJobs;
    const title = `Training ${options.model} on ${options.dataset}`;
    return this.jobs.start(
      'training',
      title,
      async (context) => {
        // The id is made when the job leaves the queue, so run ids sort in the order runs started.
        const runId = newRunId(options.model);
        try {
          return await runInWorker(this.options.workerScript, 'train', { project: projectDir, runId, options, ...(group ? { group } : {}) }, context);
        } catch (error) {
          // A worker that crashed or ran out of memory wrote no summary: say what happened in its stead.
          await recordCrash(runFolder(projectDir, runId), error);
          throw error;
        }
      },
      this.trainingSlots,
    );
  }

  async listRuns(): Promise<RunInfo[]> {
    return this.project ? listRuns(this.project.path) : [];
  }

  async runDetails(request: { runId: string }): Promise<RunDetails> {
    const reader = new RequestReader('runDetails', request);
    const runId = reader.string('runId');
    reader.end();
    return readRunDetails(this.#project().path, runId);
  }

  async updateRun(request: { runId: string; name?: string | null; tags?: string[] }): Promise<RunInfo> {
    const reader = new RequestReader('updateRun', request);
    const runId = reader.string('runId');
    const name = reader.raw('name');
    const tags = reader.raw('tags');
    reader.end();
    if (name !== undefined && name !== null && (typeof name !== 'string' || name.trim().length > 120)) {
      throw new WorkbenchError('invalid-request', 'updateRun: "name" must be text of at most 120 characters, or null to clear it', { field: 'name' });
    }
    if (tags !== undefined && (!Array.isArray(tags) || tags.length > 20 || tags.some((tag) => typeof tag !== 'string' || tag.trim() === '' || tag.length > 40))) {
      throw new WorkbenchError('invalid-request', 'updateRun: "tags" must be at most 20 words or short phrases (1 to 40 characters each)', { field: 'tags' });
    }
    return updateRunMeta(this.#project().path, runId, {
      ...(name !== undefined ? { name: typeof name === 'string' && name.trim() !== '' ? name.trim() : null } : {}),
      ...(tags !== undefined ? { tags: [...new Set((tags as string[]).map((tag) => tag.trim()))] } : {}),
    });
  }

  async confusionCell(request: { runId: string; split: 'val' | 'test'; epoch: number; truth: string; predicted: string }): Promise<{ crops: CellCrop[]; missing: number; total: number }> {
    const reader = new RequestReader('confusionCell', request);
    const runId = reader.string('runId');
    const split = reader.choice('split', ['val', 'test'] as const)!;
    const epoch = reader.optionalInt('epoch', 1, 100_000, 1);
    const truth = reader.string('truth');
    const predicted = reader.string('predicted');
    reader.end();
    return confusionCell(this.#project().path, runId, split, epoch, truth, predicted);
  }

  async deleteRun(request: { runId: string }): Promise<{ trashedTo: string }> {
    const reader = new RequestReader('deleteRun', request);
    const runId = reader.string('runId');
    reader.end();
    return { trashedTo: await trashRun(this.#project().path, runId) };
  }

  async startPrediction(request: { runId: string; from?: number; to?: number }): Promise<JobInfo> {
    const reader = new RequestReader('startPrediction', request);
    const runId = reader.string('runId');
    const last = this.#store().annotations.frameCount - 1;
    const from = reader.optionalInt('from', 0, last, 0);
    const to = reader.optionalInt('to', from, last, last);
    reader.end();
    const { project, run } = await this.#runToPredict(runId);
    return this.jobs.start('prediction', `Predicting with ${run.id}`, (context) => runInWorker(this.options.workerScript, 'predict', { project, runId: run.id, from, to }, context));
  }

  async startCrossFit(request: { runId: string; folds?: number }): Promise<JobInfo> {
    const reader = new RequestReader('startCrossFit', request);
    const runId = reader.string('runId');
    const folds = reader.optionalInt('folds', 2, 10, 3);
    reader.end();
    const { project, run } = await this.#runToPredict(runId);
    // It trains, so it waits for a training slot like a training run.
    return this.jobs.start('cross-fit', `Cross-fitting ${run.id} (${folds} folds)`, (context) => runInWorker(this.options.workerScript, 'crossFit', { project, runId: run.id, folds }, context), this.trainingSlots);
  }

  async keepLabel(request: { runId: string; frame: number; trackId: number; label: string; keep: boolean }): Promise<KeptLabel[]> {
    const reader = new RequestReader('keepLabel', request);
    const runId = reader.string('runId');
    const frame = reader.int('frame', 0, this.#store().annotations.frameCount - 1);
    const trackId = reader.int('trackId', 0, Number.MAX_SAFE_INTEGER);
    const label = reader.string('label');
    const keep = reader.boolean('keep');
    reader.end();
    if (!labelNames(this.#project()).includes(label)) throw new WorkbenchError('invalid-request', `keepLabel: "${label}" is not one of the project's labels`, { field: 'label' });
    return keepLabel(this.#project().path, runId, { frame, trackId, label }, keep);
  }

  async explainBox(request: { runId: string; frame: number; trackId: number }): Promise<BoxExplanation> {
    const reader = new RequestReader('explainBox', request);
    const runId = reader.string('runId');
    const frame = reader.int('frame', 0, this.#store().annotations.frameCount - 1);
    const trackId = reader.int('trackId', 0, Number.MAX_SAFE_INTEGER);
    reader.end();
    // Not a job (one crop takes a second or so), but it needs TensorFlow.js, which only workers load. The
    // window asks again as the selection moves: the answer to an older question is no longer wanted.
    const superseded = () => new WorkbenchError('superseded', 'A newer heat map was asked for');
    const controller = new AbortController();
    this.explaining?.abort(superseded());
    this.explaining = controller;
    try {
      const { project, run } = await this.#runToPredict(runId);
      if (controller.signal.aborted) throw superseded();
      const context = { signal: controller.signal, progress: () => {}, log: () => {} };
      return (await runInWorker(this.options.workerScript, 'explain', { project, runId: run.id, frame, trackId }, context)) as BoxExplanation;
    } finally {
      if (this.explaining === controller) this.explaining = null;
    }
  }

  /** A run whose model can judge the project's boxes, with every edit so far on disk for the worker to read. */
  async #runToPredict(runId: string): Promise<{ project: string; run: RunInfo }> {
    const project = this.#project();
    const run = await findRun(project.path, runId);
    checkLabels(labelNames(project), datasetOf(run), run.id);
    await this.#store().flush();
    return { project: project.path, run };
  }

  async predictions(request: { runId: string }): Promise<ProjectPredictions | null> {
    const reader = new RequestReader('predictions', request);
    const runId = reader.string('runId');
    reader.end();
    return readPredictions((await findRun(this.#project().path, runId)).path, 'project');
  }

  async reviewQueue(request: { runId: string; top?: number }): Promise<ReviewQueue> {
    const reader = new RequestReader('reviewQueue', request);
    const runId = reader.string('runId');
    const top = reader.optionalInt('top', 1, 100_000, 200);
    reader.end();
    return reviewRun(this.#project().path, runId, top);
  }

  async preferences(): Promise<Preferences> {
    return readPreferences(this.options.dataDir);
  }

  async savePreferences(request: { preferences: Preferences }): Promise<Preferences> {
    const reader = new RequestReader('savePreferences', request);
    const preferences = reader.raw('preferences');
    reader.end();
    const saved = await writePreferences(this.options.dataDir, preferences);
    this.trainingJobs = saved.trainingJobs;
    return saved;
  }

  async listJobs(): Promise<JobInfo[]> {
    return this.jobs.list();
  }

  async startDemoJob(request: DemoJobRequest): Promise<JobInfo> {
    const reader = new RequestReader('startDemoJob', request);
    const steps = reader.optionalInt('steps', 1, 10_000, 20);
    const intervalMs = reader.optionalInt('intervalMs', 0, 10_000, 100);
    reader.end();
    return this.jobs.start('demo', `Test job (${steps} steps)`, (context) => runDemoJob(context, steps, intervalMs));
  }

  async cancelJob(request: { jobId: string }): Promise<void> {
    const reader = new RequestReader('cancelJob', request);
    const jobId = reader.string('jobId');
    reader.end();
    this.jobs.cancel(jobId);
  }

  onEvent(listener: (event: WorkbenchEvent) => void): () => void {
    return this.events.subscribe(listener);
  }
}


function labelNames(project: ProjectSummary): string[] {
  return (project.settings?.labels ?? DEFAULT_LABELS).map((label) => label.name);
}

/** tfjs-node uses every core for one job, and a GPU is best given to one; wasm and cpu use one core each. */
function defaultTrainingJobs(): number {
  const native = detectBackends().some((backend) => backend.available && (backend.name === 'tensorflow' || backend.name === 'tensorflow-gpu'));
  return native ? 1 : availableParallelism();
}
