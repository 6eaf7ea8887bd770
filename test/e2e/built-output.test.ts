// Electron cannot run here, so the traps DESIGN.md lists are checked by reading what the build made.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, assertBuilt } from '../support/built-app';

const read = (path: string) => readFile(join(ROOT, path), 'utf8');

describe('the build', () => {
  beforeAll(assertBuilt);

  it.each(['index', 'compute'])('makes the %s preload one self-contained CommonJS file that requires only electron', async (name) => {
    // A sandboxed preload can require nothing of its own: a chunk shared by two preloads would not load.
    const preload = await read(`out/preload/${name}.js`);
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((match) => match[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
  });

  it('exposes one function per API method to the window, and only the compute link to the compute page', async () => {
    const compute = await read('out/preload/compute.js');
    expect(compute).toContain('exposeInMainWorld("maskbenchComputeLink"');
    expect(compute).not.toContain('invoke');
    const preload = await read('out/preload/index.js');
    expect(preload).toContain('exposeInMainWorld("maskbench"');
    // One exposed function per API method, from the shared declarations.
    expect(preload).toMatch(/\bappInfo: \{\s*request:/);
    expect(preload).toMatch(/\bcancelJob: \{\s*request:/);
  });

  it('builds the main process as CommonJS (no async ES-module start-up) with the sandboxed window settings', async () => {
    const main = await read('out/main/index.js');
    expect(main).not.toMatch(/^\s*(import|export)\s/m);
    expect(main).toMatch(/contextIsolation: true/);
    expect(main).toMatch(/sandbox: true/);
    expect(main).toMatch(/nodeIntegration: false/);
    expect(main).toContain('setWindowOpenHandler');
    expect(main).toContain('will-frame-navigate');
  });

  it('keeps TensorFlow.js out of the main process: only training and prediction workers load it', async () => {
    // What an entry loads: its own file and the chunks it requires, transitively.
    const loadedBy = (entry: string): Promise<string> => {
      const seen = new Set<string>();
      const visit = async (file: string): Promise<string> => {
        if (seen.has(file)) return '';
        seen.add(file);
        const text = await read(file);
        const chunks = [...text.matchAll(/require\("\.\/(?:chunks\/)?([^"]+\.js)"\)/g)].map((match) => `out/main/chunks/${match[1]!.replace(/^chunks\//, '')}`);
        return text + (await Promise.all(chunks.map(visit))).join('');
      };
      return visit(entry);
    };
    // Its package.json is data (the version a run records), not code.
    expect(await loadedBy('out/main/index.js')).not.toMatch(/require\("@tensorflow\/(?!tfjs-core\/package\.json")/);
    expect(await loadedBy('out/main/worker.js')).toMatch(/require\("@tensorflow\/tfjs-core"\)/);
  });

  it('ships a renderer with a strict Content-Security-Policy and no network URLs', async () => {
    const html = await read('out/renderer/index.html');
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(html).not.toMatch(/https?:\/\//);
  });
});
