import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AppInfo } from '../../../shared/api';
import { WorkbenchError, toErrorData, type WorkbenchErrorData } from '../../../shared/errors';
import { describeForWindow } from '../api/word-error';
import type { ConnectionState } from '../api/ws-transport';
import { useApi } from '../api/client';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
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

  async function load(): Promise<void> {
    info.value = await useApi().appInfo();
  }

  function notify(text: string, kind: Notice['kind'] = 'info'): void {
    const id = nextNoticeId++;
    notices.value.push({ id, kind, text });
    if (kind === 'info') setTimeout(() => dismiss(id), INFO_NOTICE_MS);
  }

  /** Shows any thrown value as an error notice: every failed action ends here, none silently. */
  function report(error: unknown): void {
    const data = error instanceof WorkbenchError ? error.toData() : isErrorData(error) ? error : toErrorData(error);
    notify(describeForWindow(data), 'error');
  }

  function dismiss(id: number): void {
    notices.value = notices.value.filter((notice) => notice.id !== id);
  }

  return { info, connection, notices, load, notify, report, dismiss };
});
