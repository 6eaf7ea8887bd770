// The one implementation of WorkbenchApi. Both transports call into an instance of this class, so
// everything the window can do is testable here in plain Node.

import { homedir } from 'node:os';
import { join, parse, resolve } from 'node:path';
import type { AppInfo, DemoJobRequest, HostKind, JobInfo, ProjectSummary, RecentProject, WorkbenchApi, WorkbenchEvent } from '../shared/api';
import { PROJECT_FILE } from '../shared/project';
import { WorkbenchError } from '../shared/errors';
import { version } from '../../package.json';
import { runDemoJob } from './jobs/demo-job';
import { JobRunner } from './jobs/job-runner';
import { MediaRoots } from './media/media-roots';
import { loadProjectFolder } from './project/project-folder';
import { RecentProjects } from './project/recent-projects';
import { RequestReader } from './request-reader';
import { detectBackends } from './training/backends';
import { runInWorker } from './jobs/run-in-worker';
import { isFile } from './fs/paths';
import { SAMPLE_GENERATOR_VERSION, sweepLeftovers } from './sample/generate-sample';
import { SAMPLE_DEFAULTS } from './sample/sample-options';
import { Emitter } from './event-emitter';

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
export const hostOnlyMethods = ['openProjectFromHost', 'shutdown'] as const;

export class Workbench implements WorkbenchApi {
  readonly mediaRoots = new MediaRoots();
  private readonly jobs = new JobRunner();
  private readonly recent: RecentProjects;
  private readonly events = new Emitter<WorkbenchEvent>();
  private project: ProjectSummary | null = null;
  /** Counts opens, so a job that opens a project when it ends can tell whether the user opened another meanwhile. */
  private opens = 0;
  /** Folders the user chose in the host's dialog (and the host opened itself): openable in the desktop app. */
  private readonly chosen = new Set<string>();

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

  /** Stops running jobs and lets them clean up (within a few seconds): call before the process exits. */
  async shutdown(): Promise<void> {
    await this.jobs.cancelAll(5000);
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

