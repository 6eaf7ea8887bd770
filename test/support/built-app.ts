import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/maskbench.mjs', import.meta.url));

/** These tests exercise the built app, which `npm test` builds first. */
export function assertBuilt(): void {
  for (const part of ['out/main/cli.js', 'out/main/index.js', 'out/preload/index.js', 'out/renderer/index.html']) {
    if (!existsSync(`${ROOT}/${part}`)) throw new Error(`${part} is missing: run \`npm run build\` first (\`npm test\` does).`);
  }
}

export interface ServeProcess {
  url: string;
  /** The compute page's URL, with the token. */
  computeUrl: string;
  child: ChildProcessWithoutNullStreams;
  stop(): Promise<void>;
}

/** Runs `maskbench serve --json` with its own data folder and waits for the URL it prints. */
export function serve(args: string[], dataDir: string): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--json', ...args], { env: { ...process.env, MASKBENCH_DATA_DIR: dataDir } });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('{'));
      if (!line) return;
      const printed = JSON.parse(line) as { url?: string; computeUrl?: string; error?: unknown };
      if (!printed.url) return reject(new Error(`maskbench serve failed: ${line}`));
      resolve({
        url: printed.url,
        computeUrl: printed.computeUrl!,
        child,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`maskbench serve exited with ${code}: ${stderr}${stdout}`)));
  });
}
