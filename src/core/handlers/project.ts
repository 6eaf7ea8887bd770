// Opening projects: by path, through the host's dialog, from the recent list, or the built-in sample.

import { version } from '../../../package.json';
import { WorkbenchError } from '../../shared/errors';
import type { MediaKeep, ProjectSummary } from '../../shared/project';
import { HOST_BACKENDS } from '../../shared/training';
import { isFile } from '../fs/paths';
import { sweepLeftovers } from '../fs/replace';
import { proxyIndex } from '../project/editing-proxy';
import { projectPaths } from '../project/layout';
import { createProject, setProjectMedia } from '../project/project-media';
import { SAMPLE_DEFAULTS } from '../sample/sample-options';
import { detectBackends } from '../training/backend-list';
import type { CoreContext, Handlers } from './context';

export function projectHandlers(
  context: CoreContext,
): Handlers<
  | 'appInfo'
  | 'currentProject'
  | 'openProject'
  | 'chooseProjectFolder'
  | 'recentProjects'
  | 'editingProxyIndex'
  | 'createProject'
  | 'setMedia'
  | 'openSampleProject'
> {
  const { session, jobs, inWorker, compute } = context;
  return {
    appInfo: async () => ({
      version,
      host: session.host.kind,
      platform: process.platform,
      nativeDialogs: session.host.chooseFolder !== undefined,
      backends: [
        ...detectBackends(),
        ...HOST_BACKENDS.map((name) => ({ name, package: `@tensorflow/tfjs-backend-${name}`, usesGpu: true, available: compute.canHost() })),
      ],
    }),

    currentProject: async () => session.project,

    openProject: async ({ path }) => session.openFromWindow(path),

    chooseProjectFolder: async () => {
      const chooseFolder = session.host.chooseFolder;
      if (!chooseFolder) throw new WorkbenchError('unsupported', 'This host has no folder dialog: type the project folder’s path instead');
      const path = await chooseFolder('Open a project folder');
      return path === null ? null : session.openFromHost(path);
    },

    recentProjects: async () => session.recent.list(),

    editingProxyIndex: async () => {
      const project = session.project;
      return project ? proxyIndex(project.path, project.settings?.media ?? null) : null;
    },

    createProject: async ({ folder, media, keep }) => {
      const target = session.typedPath(folder, 'folder');
      await createProject(target, session.typedPath(media, 'media'), keep);
      return session.open(target);
    },

    setMedia: async ({ media, keep }) => setMediaOf(context, session.typedPath(media, 'media'), keep),

    openSampleProject: async () => {
      const folder = session.sampleProjectDir;
      if (await isFile(projectPaths(folder).settings)) return session.open(folder);
      if (!jobs.list().some((job) => job.kind === 'sample' && job.state === 'running')) {
        const opensBefore = session.openCount;
        jobs.start('sample', 'Preparing the sample project', async (context) => {
          await sweepLeftovers(folder);
          await inWorker('sample', { target: folder, options: SAMPLE_DEFAULTS, force: true }, context);
          // The user may have opened their own project meanwhile; then the sample waits for them.
          return session.openCount === opensBefore ? session.open(folder) : null;
        });
      }
      return null;
    },
  };
}

/** Sets or relinks the open project's media, and opens the project again so the window sees it. */
export async function setMediaOf({ session }: CoreContext, media: string, keep: MediaKeep): Promise<ProjectSummary> {
  const project = session.requireProject();
  // Edits are written first; the media is checked against the annotations as they are.
  await session.flushEdits();
  await setProjectMedia(project.path, media, keep, session.store?.annotations ?? null);
  return session.open(project.path);
}
