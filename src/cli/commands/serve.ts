import { realpath, stat } from 'node:fs/promises';
import { WorkbenchError } from '../../shared/errors';
import { defaultDataDir } from '../../core/app-dirs';
import { openStartupProject } from '../../core/project/startup-project';
import { Workbench } from '../../core/workbench';
import { startServer } from '../../server/server';
import { builtFile } from '../built-files';
import type { CliCommand } from '../command';

export const serveCommand: CliCommand = {
  summary: 'serve the app to a browser on this machine (127.0.0.1 only)',
  usage: [
    '--project DIR        open this project folder (default: the last one, or the sample project)',
    '--port N             listen on port N (default: any free port)',
    '--root DIR           let the browser open projects only inside DIR (repeatable; default: any folder)',
  ],
  options: { project: { type: 'string' }, port: { type: 'string' }, root: { type: 'string', multiple: true } },

  async run(args, { json, output }) {
    const port = parsePort(args.port);
    const host = { kind: 'browser' as const, roots: await resolveRoots(args.root) };
    const workbench = new Workbench({ dataDir: defaultDataDir(), host, workerScript: builtFile('./worker.js') });
    // Listen first: a taken port should fail before anything is opened, recorded or generated.
    const server = await startServer({ workbench, rendererDir: builtFile('../renderer'), port }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        throw new WorkbenchError('io-error', `Port ${port} is already in use: pick another with --port, or --port 0 for any free one`, { field: 'port' });
      throw error;
    });
    try {
      if (typeof args.project === 'string') await workbench.openProjectFromHost(args.project);
      else await openStartupProject(workbench);
    } catch (error) {
      await server.close();
      throw error;
    }
    output.out(
      json
        ? JSON.stringify({ url: server.url, computeUrl: server.computeUrl, port: server.port })
        : `Maskbench is serving at\n  ${server.url}\nOpen it in Chromium or Chrome. To train on the GPU (webgpu, webgl), open its compute page too:\n  ${server.computeUrl}\nPress Ctrl+C to stop.`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await workbench.shutdown();
    await server.close();
    return 0;
  },
};

function parsePort(value: string | boolean | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || port > 65535) {
    throw new WorkbenchError('invalid-request', `--port must be a whole number from 0 to 65535, got "${String(value)}"`, { field: 'port' });
  }
  return port;
}

/** The --root folders as real paths (so a symlink inside one cannot lead out), or undefined when none was given. */
async function resolveRoots(value: unknown): Promise<string[] | undefined> {
  // parseArgs gives a `multiple` option as an array of strings (the commands' args type does not say so).
  if (!Array.isArray(value)) return undefined;
  return Promise.all(
    value.map(async (folder: string) => {
      const real = await realpath(folder).catch(() => {
        throw new WorkbenchError('not-found', `--root ${folder}: there is no such folder`, { field: 'root' });
      });
      if (!(await stat(real)).isDirectory()) throw new WorkbenchError('not-a-directory', `--root ${folder} is a file, not a folder`, { field: 'root' });
      return real;
    }),
  );
}
