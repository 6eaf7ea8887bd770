import { realpath } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { WorkbenchError } from '../../shared/errors';
import { isWithin } from '../fs/paths';

/**
 * The folders whose files may be served to the window: the open project and folders the user picked.
 * Paths are compared after resolving symlinks, so a link inside a root cannot reach outside it.
 */
export class MediaRoots {
  private readonly roots = new Set<string>();

  /** `folder` must already be a real path. */
  add(folder: string): void {
    this.roots.add(folder);
  }

  remove(folder: string): void {
    this.roots.delete(folder);
  }

  /** The real path of `path` when it lies inside a root; otherwise a `forbidden-path` or `not-found` error. */
  async resolve(path: string): Promise<string> {
    if (!isAbsolute(path)) throw new WorkbenchError('forbidden-path', `Media paths must be absolute: ${path}`, { file: path });
    let real: string;
    try {
      real = await realpath(resolve(path));
    } catch {
      // Refuse before revealing whether a file outside the roots exists.
      if (!this.contains(resolve(path))) throw forbidden(path);
      throw new WorkbenchError('not-found', `No such file: ${path}`, { file: path });
    }
    if (!this.contains(real)) throw forbidden(path);
    return real;
  }

  private contains(path: string): boolean {
    return [...this.roots].some((root) => isWithin(root, path));
  }
}

function forbidden(path: string): WorkbenchError {
  return new WorkbenchError('forbidden-path', `${path} is outside the open project and the folders you picked`, { file: path });
}
