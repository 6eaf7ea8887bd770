// The one implementation of WorkbenchApi: a session and one handler module per domain. Every call's
// request is checked against its declaration in shared/api before a handler sees it, so handlers work
// with typed, complete requests. Both transports call into an instance of this class, so everything the
// window can do is testable here in plain Node.

import { ClusterRuns } from './cluster/cluster-runs';
import { clusterHandlers } from './handlers/cluster';
import { API, apiMethods, type ApiMethod, type WorkbenchApi, type WorkbenchEvent, type WorkbenchMethods } from '../shared/api';
import type { AnnotationFormat, ExportReport } from '../shared/annotations';
import type { JobInfo } from '../shared/jobs';
import type { MediaKeep, ProjectSummary } from '../shared/project';
import { read } from '../shared/schema';
import { JobRunner } from './jobs/job-runner';
import { JobSlots } from './jobs/job-slots';
import { ComputeHosts } from './compute/compute-hosts';
import type { MediaRoots } from './media/media-roots';
import { readPreferences } from './preferences/preferences-file';
import { Session, type HostServices } from './session/session';
import { runInWorker } from './worker/run-in-worker';
import { annotationHandlers, exportTo, importInto } from './handlers/annotations';
import type { CoreContext, Handlers } from './handlers/context';
import { datasetHandlers } from './handlers/datasets';
import { makeProxiesWhenNeeded } from './handlers/editing-proxy';
import { jobHandlers } from './handlers/jobs';
import { preferenceHandlers } from './handlers/preferences';
import { projectHandlers, setMediaOf } from './handlers/project';
import { createProject } from './project/project-media';
import { reviewHandlers } from './handlers/review';
import { detectHandlers } from './handlers/detect';
import { runHandlers } from './handlers/runs';
import { trainingHandlers, trainingSlotPolicy } from './handlers/training';

export type { HostServices };

export interface WorkbenchOptions {
  /** The per-user data folder (see defaultDataDir). */
  dataDir: string;
  host: HostServices;
  /** The built worker-thread entry (out/main/worker.js), which runs heavy jobs off this thread. */
  workerScript: string;
}

/** Methods for the host process only (never reachable from the window: dispatch serves `apiMethods` alone). */
export const hostOnlyMethods = [
  'openProjectFromHost',
  'createProjectFromHost',
  'setMediaFromHost',
  'importAnnotationsFromHost',
  'exportAnnotationsFromHost',
  'shutdown',
] as const;

// The constructor defines every API method from its declaration in shared/api, so the class has them
// without writing each one out; the interface tells the compiler so.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface Workbench extends WorkbenchMethods {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Workbench implements WorkbenchApi {
  private readonly session: Session;
  private readonly jobs = new JobRunner();
  /** The compute pages that train on webgpu and webgl; the server and the Electron shell connect them. */
  readonly computeHosts = new ComputeHosts();
  private readonly context: CoreContext;

  constructor(options: WorkbenchOptions) {
    this.session = new Session(options.host, options.dataDir);
    this.jobs.subscribe((event) => this.session.events.emit(event));
    this.computeHosts.onChange((pages) => this.session.events.emit({ type: 'compute-pages', pages }));
    // The trainingJobs preference, read once before the first training job and kept in step by savePreferences.
    let trainingJobs: number | undefined;
    const slots = new JobSlots(() => trainingSlotPolicy(trainingJobs));
    let preferencesRead: Promise<JobSlots> | null = null;
    this.context = {
      session: this.session,
      jobs: this.jobs,
      compute: this.computeHosts,
      gpuSlots: new JobSlots(() => ({ cores: 1, jobs: 1, maxPerJob: 1 })),
      clusterRuns: new ClusterRuns(this.jobs),
      dataDir: options.dataDir,
      inWorker: (task, input, context) => runInWorker(options.workerScript, task, input, context),
      trainingSlots: () =>
        (preferencesRead ??= readPreferences(options.dataDir).then((preferences) => {
          trainingJobs ??= preferences.trainingJobs;
          return slots;
        })),
      setTrainingJobs: (count) => {
        trainingJobs = count;
      },
    };
    makeProxiesWhenNeeded(this.context);
    const handlers: Handlers<ApiMethod> = {
      ...projectHandlers(this.context),
      ...annotationHandlers(this.context),
      ...datasetHandlers(this.context),
      ...trainingHandlers(this.context),
      ...runHandlers(this.context),
      ...clusterHandlers(this.context),
      ...reviewHandlers(this.context),
      ...detectHandlers(this.context),
      ...preferenceHandlers(this.context),
      ...jobHandlers(this.context),
    };
    // The window is not trusted: each request is checked against its declaration, naming the field at fault.
    const checked = apiMethods.map((method) => {
      const handle = handlers[method] as (request: unknown) => Promise<unknown>;
      return [method, async (request: unknown) => handle(read(API[method].request, request, { method }))];
    });
    Object.assign(this, Object.fromEntries(checked));
  }

  /** The folders whose files the window may load. */
  get mediaRoots(): MediaRoots {
    return this.session.mediaRoots;
  }

  /** Where the built-in sample project lives. */
  get sampleProjectDir(): string {
    return this.session.sampleProjectDir;
  }

  /** Lets the host itself open a folder the window could not name (a command-line argument). */
  async openProjectFromHost(path: string): Promise<ProjectSummary> {
    return this.session.openFromHost(path);
  }

  /** For the host's own File menu: a new project in a folder, around media, both chosen in its dialogs. */
  async createProjectFromHost(folder: string, media: string, keep: MediaKeep): Promise<ProjectSummary> {
    await createProject(folder, media, keep);
    return this.session.openFromHost(folder);
  }

  /** For the host's own File menu: the open project's media, chosen in its dialog. */
  async setMediaFromHost(media: string, keep: MediaKeep): Promise<ProjectSummary> {
    return setMediaOf(this.context, media, keep);
  }

  /** For the host's own File menu: a path the user chose in its dialog, which may lie outside the project. */
  async importAnnotationsFromHost(source: string): Promise<JobInfo> {
    return importInto(this.context, source, { force: true });
  }

  async exportAnnotationsFromHost(format: AnnotationFormat, out: string): Promise<ExportReport> {
    return exportTo(this.context, format, out, true);
  }

  /** Stops running jobs and lets them clean up (within a few seconds), and writes pending edits: call before the process exits. */
  async shutdown(): Promise<void> {
    await Promise.all([this.jobs.cancelAll(5000), this.session.close()]);
  }

  onEvent(listener: (event: WorkbenchEvent) => void): () => void {
    return this.session.events.subscribe(listener);
  }
}
