import type { WorkbenchApi } from '../../../shared/api';

let current: WorkbenchApi | null = null;

/** Called once at start-up with the transport's API (and by tests with a fake). */
export function installApi(api: WorkbenchApi): void {
  current = api;
}

export function useApi(): WorkbenchApi {
  if (!current) throw new Error('The Maskbench API is not installed yet');
  return current;
}
