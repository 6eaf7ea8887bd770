// Media URLs carry the file's absolute path as one encoded segment, the same way in the Electron
// protocol (maskbench-media://file/<path>) and in browser mode (/media/<path>), so one decoder serves both.

export const MEDIA_SCHEME = 'maskbench-media';

export function encodeMediaPath(absolutePath: string): string {
  return encodeURIComponent(absolutePath);
}

/** The absolute path in a media URL's path segment, or null when it is not one. */
export function decodeMediaPath(segment: string): string | null {
  try {
    const path = decodeURIComponent(segment);
    return path.length > 0 && !path.includes('\0') ? path : null;
  } catch {
    return null;
  }
}
