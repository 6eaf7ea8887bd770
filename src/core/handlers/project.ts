// Opening projects: by path, through the host's dialog, from the recent list, or the built-in sample.

import { version } from '../../../package.json';
import { WorkbenchError } from '../../shared/errors';
import { HOST_BACKENDS } from '../../shared/training';
import { isFile } from '../fs/paths';
import { sweepLeftovers } from '../fs/replace';
import { projectPaths } from '../project/layout';
import { SAMPLE_DEFAULTS } from '../sample/sample-options';
import { detectBackends } from '../training/backend-list';
import type { CoreContext, Handlers } from './context';

export function projectHandlers({
  session,
  jobs,
  inWorker,
  compute,
}: CoreContext): Handlers<'appInfo' | 'currentProject' | 'openProject' | 'chooseProjectFolder' | 'recentProjects' | 'openSampleProject'> {
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
