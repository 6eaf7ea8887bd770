// Errors cross every boundary (IPC, WebSocket, CLI) as plain data with a stable code, so the UI and
// scripts can react to the code and show the message, and nothing depends on Error subclasses surviving
// structured cloning.

export type ErrorCode =
  | 'bad-message' // a transport message that is not a well-formed call
  | 'unknown-method'
  | 'invalid-request' // a call whose request fails validation; `where.field` names the field
  | 'unauthorized'
  | 'forbidden-path' // a path outside the open project and the folders the user picked
  | 'not-found'
  | 'not-a-directory'
  | 'already-exists' // a target that holds something the user made, which we will not overwrite
  | 'invalid-project' // a project.json that cannot be read; `where` names the file, line or field
  | 'invalid-annotations' // an annotation file that cannot be imported at all; `where` names the file and line
  | 'job-not-found'
  | 'run-not-found'
  | 'invalid-dataset' // a dataset that cannot train a model (an empty part, one class, unreadable crops); `where` names the file
  | 'backend-unavailable' // a training backend asked for by name that is not installed or does not load
  | 'backend-lost' // the backend went away mid-run: a compute page closed, a GPU device lost, out of GPU memory
  | 'diverged' // training produced a loss that is not a number
  | 'unsupported' // the host cannot do this (for example a native dialog in browser mode)
  | 'disconnected' // the browser lost its connection to the Maskbench server
  | 'superseded' // a request stopped because a newer one of the same kind replaced it
  | 'cluster-unavailable' // the Slurm cluster cannot be reached or refused a job (sbatch missing, controller down)
  | 'cluster-ended' // the Slurm cluster ended a job: its time limit, out of memory, a node failure
  | 'cancelled' // the user stopped the work (Ctrl+C in the CLI); the message says what was kept
  | 'io-error'
  | 'internal';

/** Where an error happened, as precisely as known. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  field?: string;
}

export interface WorkbenchErrorData {
  code: ErrorCode;
  message: string;
  where?: ErrorLocation;
}

export class WorkbenchError extends Error {
  readonly code: ErrorCode;
  readonly where?: ErrorLocation;

  constructor(code: ErrorCode, message: string, where?: ErrorLocation) {
    super(message);
    this.name = 'WorkbenchError';
    this.code = code;
    this.where = where;
  }

  toData(): WorkbenchErrorData {
    return this.where ? { code: this.code, message: this.message, where: this.where } : { code: this.code, message: this.message };
  }

  static fromData(data: WorkbenchErrorData): WorkbenchError {
    return new WorkbenchError(data.code, data.message, data.where);
  }
}

/** Any thrown value as error data; unexpected errors become `internal` with their message kept. */
export function toErrorData(error: unknown): WorkbenchErrorData {
  if (error instanceof WorkbenchError) return error.toData();
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message };
}

/**
 * "message (file f, line 3, field path)" for logs and the CLI; `nameField` words the field as its reader
 * knows it (the command line: by its flag).
 */
export function describeError(error: WorkbenchErrorData, nameField = (field: string) => `field ${field}`): string {
  const where = error.where;
  if (!where) return error.message;
  const parts = [where.file && `file ${where.file}`, where.line !== undefined && `line ${where.line}`, where.field && nameField(where.field)].filter(Boolean);
  return parts.length ? `${error.message} (${parts.join(', ')})` : error.message;
}
