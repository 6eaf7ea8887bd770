// Ctrl+C during long work: the work is aborted, and the user is told it was cancelled and what was kept,
// rather than the abort's bare "This operation was aborted".

import { WorkbenchError, type ErrorLocation } from '../shared/errors';

/** The exit code of work cancelled by Ctrl+C, as shells give a command that SIGINT ended. */
export const CANCELLED_EXIT = 130;

/**
 * Runs `work` with a signal that Ctrl+C aborts. Work that ends because of it throws a `cancelled` error
 * whose message is `kept()`: what was cancelled and what was kept of it.
 */
export async function cancelOnCtrlC<T>(work: (signal: AbortSignal) => Promise<T>, kept: () => string, where?: ErrorLocation): Promise<T> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  try {
    return await work(controller.signal);
  } catch (error) {
    throw controller.signal.aborted ? new WorkbenchError('cancelled', kept(), where) : error;
  } finally {
    process.off('SIGINT', stop);
  }
}
