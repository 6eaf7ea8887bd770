import { ref } from 'vue';
import { toErrorData } from '../../../shared/errors';
import { describeForWindow } from '../api/word-error';

/**
 * For a dialog's main action: runs it, keeps its error to show in place (beside what the user typed, so
 * they can correct it) and says whether it is running.
 */
export function useAttempt() {
  const error = ref<string | null>(null);
  const busy = ref(false);
  async function attempt(action: () => Promise<unknown>): Promise<boolean> {
    busy.value = true;
    error.value = null;
    try {
      await action();
      return true;
    } catch (caught) {
      error.value = describeForWindow(toErrorData(caught));
      return false;
    } finally {
      busy.value = false;
    }
  }
  return { error, busy, attempt };
}
