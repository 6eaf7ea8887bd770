import { Readable } from 'node:stream';
import { decodeMediaPath } from '../../shared/media-url';
import { WorkbenchError, toErrorData, type ErrorCode } from '../../shared/errors';
import { fileResponse, type FileResponse } from './file-response';
import type { MediaRoots } from './media-roots';

const STATUS: Partial<Record<ErrorCode, number>> = { 'forbidden-path': 403, 'not-found': 404, 'not-a-directory': 404 };

/**
 * Answers a media request whose URL path segment is `encodedPath`, for either transport. Errors become
 * JSON bodies with the error's code, so a refused path is visible in the network log for what it is.
 */
export async function serveMedia(roots: MediaRoots, encodedPath: string, method: string, range: string | null | undefined): Promise<FileResponse> {
  try {
    if (method !== 'GET' && method !== 'HEAD') throw new WorkbenchError('invalid-request', `Media requests must be GET or HEAD, not ${method}`);
    const path = decodeMediaPath(encodedPath);
    if (path === null) throw new WorkbenchError('invalid-request', 'The media URL does not contain a valid path');
    const response = await fileResponse(await roots.resolve(path), method, range);
    // A project file is shown as media, never run as a page of this origin (an .html or .svg someone put there).
    return { ...response, headers: { ...response.headers, 'Content-Security-Policy': 'sandbox', 'X-Content-Type-Options': 'nosniff' } };
  } catch (error) {
    const data = toErrorData(error);
    return {
      status: STATUS[data.code] ?? (data.code === 'invalid-request' ? 400 : 500),
      headers: { 'Content-Type': 'application/json' },
      body: Readable.from([JSON.stringify({ error: data })]),
    };
  }
}
