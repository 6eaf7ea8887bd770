import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ProjectImportReport } from '../../../shared/annotations';
import { useJobsStore } from './jobs';
import { useLayoutStore } from './layout';

/** The report of the last import that finished, for the window to show what it found. */
export const useImportsStore = defineStore('imports', () => {
  const lastReport = ref<ProjectImportReport | null>(null);

  useJobsStore().onJobEnd(['import'], (ending) => {
    if (ending.state !== 'done') return;
    lastReport.value = ending.result;
    // An import that found problems says so at once, with the list.
    if (ending.result.problems.length) useLayoutStore().toggleOverlay('import-report');
  });

  return { lastReport };
});
