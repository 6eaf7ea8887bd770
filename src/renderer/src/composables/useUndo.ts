import { useAnnotationsStore } from '../stores/annotations';
import { useAppStore } from '../stores/app';
import { useReviewStore } from '../stores/review';

/**
 * Undo and redo as the keys and the toolbar's buttons do them: a note says what was taken back or done
 * again. Undo right after a review keep (S) takes the keep back instead.
 */
export function useUndo() {
  const annotations = useAnnotationsStore();
  const app = useAppStore();
  const review = useReviewStore();

  async function undo(): Promise<void> {
    if (await review.undoKeep()) return app.notify('Undone: the keep, the entry is to decide again');
    const undone = await annotations.undo();
    app.notify(undone ? `Undone: ${undone}` : 'Nothing to undo');
  }

  async function redo(): Promise<void> {
    const redone = await annotations.redo();
    app.notify(redone ? `Redone: ${redone}` : 'Nothing to redo');
  }

  const report = (error: unknown) => app.report(error);
  return { undo: () => void undo().catch(report), redo: () => void redo().catch(report) };
}
