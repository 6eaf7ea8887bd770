// One implementation of HTTP file serving with Range support, used by both the Electron media protocol
// and the browser-mode server: Electron's net.fetch ignores Range (electron#38749), and <video> cannot
// seek without 206 answers.

import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { WorkbenchError } from '../../shared/errors';

export interface FileResponse {
  status: number;
  headers: Record<string, string>;
  body: Readable | null;
}

const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.webm': 'video/webm',
  '.mov': 'video/quicktime',
  '.avi': 'video/x-msvideo',
  '.mkv': 'video/x-matroska',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentType(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

type ByteRange = { start: number; end: number } | 'unsatisfiable' | null;

/**
 * Parses a single `bytes=` range against a file of `size` bytes (RFC 9110 14.1.2). Returns null for no
 * usable range (absent, malformed or multi-range: the whole file is then sent, as the RFC allows).
 */
export function parseRange(header: string | null | undefined, size: number): ByteRange {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match) return null;
  const [, first, last] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return end < start ? null : { start, end };
}

/**
 * The response for GET or HEAD of `path` (already checked to be allowed) with an optional Range. The file
 * is opened first, so an unreadable or vanished file is an error here rather than in the middle of a
 * response; the body stream owns the file handle and closes it however the response ends.
 */
export async function fileResponse(path: string, method: string, rangeHeader: string | null | undefined): Promise<FileResponse> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EACCES' || error.code === 'EPERM')
      throw new WorkbenchError('forbidden-path', `${path} cannot be read: permission denied`, { file: path });
    throw new WorkbenchError('not-found', `No such file: ${path}`, { file: path });
  });
  let info;
  try {
    info = await handle.stat();
  } catch (error) {
    await handle.close();
    throw error;
  }
  if (!info.isFile()) {
    await handle.close();
    throw new WorkbenchError('not-found', `${path} is a folder, not a file`, { file: path });
  }
  const headers: Record<string, string> = {
    'Content-Type': contentType(path),
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-cache',
    'Last-Modified': info.mtime.toUTCString(),
  };
  const range = parseRange(rangeHeader, info.size);
  if (range === 'unsatisfiable') {
    await handle.close();
    return { status: 416, headers: { ...headers, 'Content-Range': `bytes */${info.size}`, 'Content-Length': '0' }, body: null };
  }
  const { start, end } = range ?? { start: 0, end: info.size - 1 };
  const length = Math.max(0, end - start + 1);
  headers['Content-Length'] = String(length);
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${info.size}`;
  if (method === 'HEAD' || length === 0) {
    await handle.close();
    return { status: range ? 206 : 200, headers, body: null };
  }
  return { status: range ? 206 : 200, headers, body: handle.createReadStream({ start, end }) };
}
