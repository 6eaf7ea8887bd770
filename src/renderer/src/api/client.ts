import type { WorkbenchApi } from '../../../shared/api';

/** What the window needs from its transport: the API, and where to load the project's files from. */
export interface Connection {
  api: WorkbenchApi;
  /** The URL under which the window may load a file of the open project (absolute path). */
  mediaUrl(absolutePath: string): string;
}

let current: Connection | null = null;

/** Called once at start-up with the transport's connection (and by tests with a fake). */
export function installConnection(connection: Connection): void {
  current = connection;
}

function connection(): Connection {
  if (!current) throw new Error('The Maskbench API is not installed yet');
  return current;
}

export function useApi(): WorkbenchApi {
  return connection().api;
}

export function mediaUrl(absolutePath: string): string {
  return connection().mediaUrl(absolutePath);
}
