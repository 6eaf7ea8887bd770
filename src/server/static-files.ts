import { Readable } from 'node:stream';
import { resolve } from 'node:path';
import type { FileResponse } from '../core/media/file-response';
import { fileResponse } from '../core/media/file-response';
import { isWithin } from '../core/fs/paths';

/** Serves the built renderer; nothing outside `rootDir` can be named. */
export async function serveStatic(rootDir: string, urlPath: string, method: string): Promise<FileResponse> {
  if (method !== 'GET' && method !== 'HEAD') return textResponse(405, 'Method not allowed');
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath === '/' ? '/index.html' : urlPath);
  } catch {
    return textResponse(400, 'Bad URL');
  }
  const root = resolve(rootDir);
  const path = resolve(root, '.' + relative);
  if (path === root || !isWithin(root, path) || relative.includes('\0')) return textResponse(404, 'Not found');
  try {
    return await fileResponse(path, method, null);
  } catch {
    return textResponse(404, 'Not found');
  }
}

function textResponse(status: number, text: string): FileResponse {
  return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: Readable.from([text + '\n']) };
}
