// After kill -9, a project reopens with at most the last second of edits lost, and never a broken file.

import { spawn } from 'node:child_process';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'vite';
import { describe, expect, inject, it } from 'vitest';
import { parseAnnotations } from '../../src/core/project/annotation-store';
import { ANNOTATIONS_FILE } from '../../src/core/project/layout';
import { ROOT } from '../support/built-app';
import { useTempDirs } from '../support/temp-dir';

describe('a crash while editing', () => {
  const tempDir = useTempDirs();

  it.each([1, 2, 3])(
    'loses at most the last second of edits, and leaves a readable file (run %i)',
    async (run) => {
      const project = await tempDir();
      await cp(join(inject('sampleProject'), ANNOTATIONS_FILE), join(project, ANNOTATIONS_FILE));
      // The child runs the store's real code, bundled for plain Node.
      const outDir = await tempDir();
      await build({
        configFile: false,
        logLevel: 'silent',
        root: ROOT,
        // Bundled whole: the harness runs from a temporary folder, where no node_modules is found.
        ssr: { noExternal: true },
        build: {
          ssr: join(ROOT, 'test/support/edit-until-killed.ts'),
          outDir,
          target: 'node20',
          rollupOptions: { output: { format: 'es', entryFileNames: 'harness.mjs' } },
        },
      });
      const child = spawn(process.execPath, [join(outDir, 'harness.mjs'), project], { stdio: ['ignore', 'pipe', 'inherit'] });
      const edits: { count: number; at: number }[] = [];
      child.stdout.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().trim().split('\n')) {
          const [count, at] = line.split(' ').map(Number);
          edits.push({ count: count!, at: at! });
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 1200 + run * 170));
      const killedAt = Date.now();
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));

      const saved = parseAnnotations(await readFile(join(project, ANNOTATIONS_FILE), 'utf8'), ANNOTATIONS_FILE);
      const savedCount = Math.round(saved.tracks[0]!.shapes[0]!.xtl * 100);
      const madeASecondBefore = edits.filter((edit) => edit.at <= killedAt - 1000).at(-1)?.count ?? 0;
      expect(edits.length).toBeGreaterThan(50);
      expect(savedCount).toBeGreaterThanOrEqual(madeASecondBefore);
      expect(savedCount).toBeLessThanOrEqual(edits.at(-1)!.count);
    },
    20_000,
  );
});
