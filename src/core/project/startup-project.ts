import type { WorkbenchApi } from '../../shared/api';

/**
 * What the app opens on start when it was not told which project: the last project if its folder is
 * still there, otherwise the sample project (generated on first use, as a job the window shows).
 */
export async function openStartupProject(api: WorkbenchApi): Promise<void> {
  const last = (await api.recentProjects()).find((entry) => entry.exists);
  if (last) {
    try {
      await api.openProject({ path: last.path });
      return;
    } catch (error) {
      console.warn(`Could not reopen ${last.path}; opening the sample project instead:`, error);
    }
  }
  await api.openSampleProject();
}
