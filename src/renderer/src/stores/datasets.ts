import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { DatasetPreview } from '../../../shared/api';
import { useApi } from '../api/client';
import { useAppStore } from './app';
import { useJobsStore } from './jobs';
import { useProjectStore } from './project';

/** The open project's built datasets, newest first, read once for every view that shows them. */
export const useDatasetsStore = defineStore('datasets', () => {
  const list = ref<DatasetPreview[]>([]);

  async function load(): Promise<void> {
    list.value = await useApi().listDatasets();
  }

  watch(
    () => useProjectStore().current,
    (project) => {
      if (project) void load().catch((error: unknown) => useAppStore().report(error));
    },
    { immediate: true },
  );
  // A sweep builds its datasets too, one cut short some of them; a cross-fit builds its folds'.
  useJobsStore().onJobEnd(['dataset', 'sweep', 'cross-fit'], load);
  /** The dataset a view starts on: the newest the user built, not a cross-fit's fold (else the newest). */
  const first = computed(() => (list.value.find((dataset) => !dataset.foldOf) ?? list.value[0])?.name ?? null);

  return { list, first };
});
