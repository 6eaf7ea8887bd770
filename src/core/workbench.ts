// The one implementation of WorkbenchApi. Both transports call into an instance of this class, so
// everything the window can do is testable here in plain Node.

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppInfo, HostKind, JobInfo, ProjectSummary, RecentProject, WorkbenchApi, WorkbenchEvent } from '../shared/api';
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
import { SAMPLE_GENERATOR_VERSION } from './sample/generate-sample';
import { SAMPLE_DEFAULTS } from './sample/sample-options';
import { Emitter } from './event-emitter';

/** What the host process can do that plain Node cannot. */
export interface HostServices {
  kind: HostKind;
  /** A native folder dialog; absent in browser mode. Resolves to null when the user cancels. */
  chooseFolder?: (title: string) => Promise<string | null>;
}

export interface WorkbenchOptions {
  /** The per-user data folder (see defaultDataDir). */
  dataDir: string;
  host: HostServices;
  /** The built worker-thread entry (out/main/worker.js), which runs heavy jobs off this thread. */
  workerScript: string;
}

export class Workbench implements WorkbenchApi {
  readonly mediaRoots = new MediaRoots();
  private readonly jobs = new JobRunner();
  private readonly recent: RecentProjects;
  private readonly events = new Emitter<WorkbenchEvent>();
  private project: ProjectSummary | null = null;

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
    const project = await loadProjectFolder(path);
    if (this.project) this.mediaRoots.remove(this.project.path);
    this.project = project;
    this.mediaRoots.add(project.path);
    await this.recent.add(project);
    this.events.emit({ type: 'project-opened', project });
    return project;
  }

  async chooseProjectFolder(): Promise<ProjectSummary | null> {
    const chooseFolder = this.options.host.chooseFolder;
    if (!chooseFolder) throw new WorkbenchError('unsupported', 'This host has no folder dialog: type the project folder’s path instead');
    const path = await chooseFolder('Open a project folder');
    return path === null ? null : this.openProject({ path });
  }

  async recentProjects(): Promise<RecentProject[]> {
    return this.recent.list();
  }

  /** Where the built-in sample project lives; a new generator version gets a new folder. */
  get sampleProjectDir(): string {
    return join(this.options.dataDir, 'samples', `walkway-v${SAMPLE_GENERATOR_VERSION}`);
  }

  async openSampleProject(): Promise<ProjectSummary | null> {
    if (await isFile(join(this.sampleProjectDir, PROJECT_FILE))) return this.openProject({ path: this.sampleProjectDir });
    if (!this.jobs.list().some((job) => job.kind === 'sample' && job.state === 'running')) {
      const input = { target: this.sampleProjectDir, options: SAMPLE_DEFAULTS, force: true };
      this.jobs.start('sample', 'Preparing the sample project', async (context) => {
        await runInWorker(this.options.workerScript, 'sample', input, context);
        return this.openProject({ path: this.sampleProjectDir });
      });
    }
    return null;
  }

  async listJobs(): Promise<JobInfo[]> {
    return this.jobs.list();
  }

  async startDemoJob(request: { steps?: number; intervalMs?: number }): Promise<JobInfo> {
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

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
