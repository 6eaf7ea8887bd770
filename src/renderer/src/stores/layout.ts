import { defineStore } from 'pinia';
import { ref } from 'vue';

export type ViewName = 'annotate' | 'dataset' | 'train' | 'runs' | 'review' | 'diagnostics';
export type Overlay = 'help' | 'open-project' | 'new-project' | 'import' | 'export' | 'import-report';

/** Which view is shown and which overlay is open. Views stay mounted, so each keeps its own state. */
export const useLayoutStore = defineStore('layout', () => {
  const view = ref<ViewName>('annotate');
  const overlay = ref<Overlay | null>(null);

  function show(name: ViewName): void {
    view.value = name;
  }

  function toggleOverlay(name: Overlay): void {
    overlay.value = overlay.value === name ? null : name;
  }

  function closeOverlay(): void {
    overlay.value = null;
  }

  return { view, overlay, show, toggleOverlay, closeOverlay };
});
