import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { SaveState } from '../../../shared/api';
import type { ProjectSummary, RecentProject } from '../../../shared/project';
import { useApi } from '../api/client';
import { useJobsStore } from './jobs';

export const useProjectStore = defineStore('project', () => {
  const current = ref<ProjectSummary | null>(null);
  const recent = ref<RecentProject[]>([]);
  /** Whether the open project's edits are on disk, as the core last said. */
  const saveState = ref<SaveState>({ state: 'saved' });

  async function load(): Promise<void> {
    const api = useApi();
    [current.value, recent.value] = await Promise.all([api.currentProject(), api.recentProjects()]);
  }

  async function open(path: string): Promise<void> {
    opened(await useApi().openProject({ path }));
  }

  /** The host's folder dialog (Electron only); resolves false when the user cancelled. */
  async function choose(): Promise<boolean> {
    const project = await useApi().chooseProjectFolder();
    if (project) opened(project);
    return project !== null;
  }

  /** The built-in sample; when it must be generated first, the core opens it when its job ends. */
  async function openSample(): Promise<void> {
    const project = await useApi().openSampleProject();
    if (project) opened(project);
  }

  /** Also called for the core's `project-opened` event, so a project opened from the menu shows too. */
  function opened(project: ProjectSummary): void {
    current.value = project;
    saveState.value = { state: 'saved' };
    void useApi()
      .recentProjects()
      .then((list) => (recent.value = list));
  }

  // A proxy made in the background for the open project: the window plays it from now on.
  useJobsStore().onJobEnd(['proxy'], (ending) => {
    if (ending.state === 'done' && ending.result.proxy && current.value?.path === ending.result.project)
      current.value = { ...current.value, editingProxy: ending.result.proxy };
  });

  return { current, recent, saveState, load, open, choose, openSample, opened };
});
