import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { AppInfo } from '../../../shared/api';
import type { BackendChoice } from '../../../shared/runs';
import { isHostBackend, type AutoBackend } from '../../../shared/training';
import { WorkbenchError, toErrorData, type WorkbenchErrorData } from '../../../shared/errors';
import { describeForWindow } from '../api/word-error';
import type { ConnectionState } from '../api/ws-transport';
import { useApi } from '../api/client';

/** A button on a notice: what to do next, right there (undo what was just done, say). */
export interface NoticeAction {
  label: string;
  run: () => void;
}

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
  actions: NoticeAction[];
}

/** How long an info notice stays; errors stay until dismissed. */
const INFO_NOTICE_MS = 6000;

function isErrorData(value: unknown): value is WorkbenchErrorData {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as WorkbenchErrorData).code === 'string' &&
    typeof (value as WorkbenchErrorData).message === 'string'
  );
}

export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo | null>(null);
  const connection = ref<ConnectionState>('connecting');
  const notices = ref<Notice[]>([]);
  let nextNoticeId = 1;

  /** The backends a model can train or predict on, for the Train view's and the Review view's choice. */
  const backendChoices = computed((): Array<{ name: BackendChoice; label: string; available: boolean }> => [
    { name: 'auto', label: 'auto (the fastest that loads)', available: true },
    ...(info.value?.backends ?? []).map((backend) => ({
      name: backend.name,
      label: `${backend.name}${backend.usesGpu ? ' (GPU)' : ''}${backend.available ? '' : isHostBackend(backend.name) ? ' (no compute page open)' : ' (not installed)'}`,
      // A compute page may be opened yet: asked for without one, the run is refused with the page's address.
      available: backend.available || isHostBackend(backend.name),
    })),
  ]);

  /** What `auto` trains on, once asked (undefined until then: the answer may wait for the compute page). */
  const autoBackend = ref<AutoBackend | null | undefined>(undefined);

  async function load(): Promise<void> {
    info.value = await useApi().appInfo();
  }

  async function loadAutoBackend(): Promise<void> {
    autoBackend.value = await useApi().autoBackend();
  }

  /**
   * Follows compute pages as they come and go: which backends can be chosen, and what auto takes. Asked
   * again with none open only when auto was a page's: asking may open the shell's page, which should not
   * follow a page that keeps closing.
   */
  function computePagesChanged(pages: number): void {
    const onPage = autoBackend.value && isHostBackend(autoBackend.value.name);
    Promise.all([load(), pages > 0 || onPage ? loadAutoBackend() : null]).catch(report);
  }

  function notify(text: string, kind: Notice['kind'] = 'info', actions: NoticeAction[] = []): void {
    const id = nextNoticeId++;
    notices.value.push({ id, kind, text, actions });
    // A notice that offers something stays twice as long.
    if (kind === 'info') setTimeout(() => dismiss(id), actions.length > 0 ? 2 * INFO_NOTICE_MS : INFO_NOTICE_MS);
  }

  /** Shows any thrown value as an error notice: every failed action ends here, none silently. */
  function report(error: unknown): void {
    const data = error instanceof WorkbenchError ? error.toData() : isErrorData(error) ? error : toErrorData(error);
    notify(describeForWindow(data), 'error');
  }

  function dismiss(id: number): void {
    notices.value = notices.value.filter((notice) => notice.id !== id);
  }

  /** Drops every error shown: another project opened, where they no longer apply. */
  function dismissErrors(): void {
    notices.value = notices.value.filter((notice) => notice.kind !== 'error');
  }

  return { info, backendChoices, autoBackend, connection, notices, load, loadAutoBackend, computePagesChanged, notify, report, dismiss, dismissErrors };
});
