// Who imports whom between the folders of src/, checked against DESIGN.md: no folder depends on itself
// through others, src/shared sits below everything, core runs in plain Node without the processes that
// host it, and the renderer reaches core only through the API.
//
// A node is a folder: src/shared, src/core's own files (workbench.ts and the like), each folder directly
// under src/core with all that is inside it (training/models and training/kernels count as training),
// and src/main, src/preload, src/server, src/cli and src/renderer whole. The renderer is one node because
// it is one layer in DESIGN.md: one Vue app whose own files (App.vue beside theme.ts) serve its folders
// as well as use them. Type-only imports count: they tie folders together too.

import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../../src');

/** How deep below src/ a folder is still a node of its own: the rest belongs to it. */
const NODE_DEPTH: Record<string, number> = { core: 2 };

interface Import {
  from: string;
  specifier: string;
  /** The node of the imported file, for an import inside src/; null for a package or a file outside src/. */
  target: string | null;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|vue)$/.test(entry.name) ? [path] : [];
  });
}

/** The node of a file: src/ and the first folders of its path, as deep as NODE_DEPTH says. */
function nodeOf(file: string): string {
  const folders = relative(SRC, dirname(file)).split(sep);
  return ['src', ...folders.slice(0, NODE_DEPTH[folders[0]!] ?? 1)].join('/');
}

/** Static and dynamic imports, re-exports and requires: every way a file can name another module. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"\n]+)['"]/g;

function importsOf(file: string): Import[] {
  return [...readFileSync(file, 'utf8').matchAll(SPECIFIER)].map(([, specifier]) => {
    const inside = specifier!.startsWith('.') ? resolve(dirname(file), specifier!) : null;
    const target = inside !== null && !relative(SRC, inside).startsWith('..') ? nodeOf(inside + '.ts') : null;
    return { from: relative(dirname(SRC), file), specifier: specifier!, target };
  });
}

const imports = sourceFiles(SRC).flatMap((file) => importsOf(file).map((entry) => ({ ...entry, node: nodeOf(file) })));

/** Each node's imported nodes, with the first import that makes each edge, to name in a failure. */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const { node, target, from, specifier } of imports) {
    if (!graph.has(node)) graph.set(node, new Map());
    if (target === null || target === node) continue;
    const edges = graph.get(node)!;
    if (!edges.has(target)) edges.set(target, `${from} imports ${specifier}`);
  }
  return graph;
}

/** Every cycle a depth-first walk meets, each written as its nodes and the imports that close it. */
function findCycles(graph: Map<string, Map<string, string>>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    path.push(node);
    for (const next of [...(graph.get(node)?.keys() ?? [])].sort()) {
      if (state.get(next) === 'open') {
        const loop = [...path.slice(path.indexOf(next)), next];
        const why = loop.slice(1).map((to, i) => graph.get(loop[i]!)!.get(to)!);
        cycles.push(`${loop.join(' -> ')} (${why.join('; ')})`);
      } else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

/** Imports from `folder` (a node, or a whole top folder such as src/core) that break `rule`, as "file imports specifier". */
function breaking(folder: string, rule: (entry: Import) => boolean): string[] {
  return imports
    .filter((entry) => (entry.node === folder || entry.node.startsWith(folder + '/')) && !rule(entry))
    .map((entry) => `${entry.from} imports ${entry.specifier}`);
}

/** The path inside src/ an import names (no extension), or null for a package. */
const pathInSrc = (entry: Import) => (entry.target === null ? null : inSrc(join(dirname(entry.from), entry.specifier)));
/** A path from the repository's root (as Import.from is) made relative to src/, with forward slashes. */
const inSrc = (path: string) => relative(SRC, resolve(dirname(SRC), path)).replaceAll(sep, '/');
/** The parts of core written for tfjs alone, which the compute page (in Chromium) builds on as well. */
const TFJS_ONLY = [
  'core/training/models',
  'core/training/kernels',
  'core/training/optimizer',
  'core/training/trainer',
  'core/training/augment',
  'core/training/metrics',
  'core/training/model-from-files',
  'core/review/classify',
  'core/review/grad-cam',
  'core/util/prng',
];
const isTfjsOnly = (path: string | null) => path !== null && TFJS_ONLY.some((folder) => path === folder || path.startsWith(folder + '/'));

const isNodeBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);
const isElectron = (specifier: string) => specifier === 'electron' || specifier.startsWith('electron/');
/** The top folder under src/ an import lands in (src/core for any core node), or null for a package. */
const topFolder = (entry: Import) => entry.target?.split('/').slice(0, 2).join('/') ?? null;

describe('the import graph of src/', () => {
  it('reads the folders it is meant to', () => {
    const nodes = [...folderGraph().keys()];
    expect(nodes).toEqual(expect.arrayContaining(['src/shared', 'src/core', 'src/core/training', 'src/core/runs', 'src/cli', 'src/renderer']));
    expect(nodes).not.toContain('src/core/training/models');
  });

  it('has no cycle between folders', () => {
    expect(findCycles(folderGraph())).toEqual([]);
  });

  it('keeps src/shared free of Node, Electron, the DOM frameworks and every other src/ folder', () => {
    expect(
      breaking(
        'src/shared',
        ({ specifier, target }) =>
          !isNodeBuiltin(specifier) && !isElectron(specifier) && !['vue', 'pinia'].includes(specifier) && (target === null || target === 'src/shared'),
      ),
    ).toEqual([]);
  });

  it('keeps Electron and the processes that host core out of src/core', () => {
    const hosts = ['src/renderer', 'src/main', 'src/preload', 'src/server', 'src/cli'];
    expect(breaking('src/core', (entry) => !isElectron(entry.specifier) && !hosts.includes(topFolder(entry) ?? ''))).toEqual([]);
  });

  it('keeps the compute page (src/compute) to the browser: src/shared and the tfjs-only parts of core', () => {
    expect(
      breaking(
        'src/compute',
        (entry) =>
          !isNodeBuiltin(entry.specifier) &&
          !isElectron(entry.specifier) &&
          ([null, 'src/compute', 'src/shared'].includes(topFolder(entry)) || isTfjsOnly(pathInSrc(entry))),
      ),
    ).toEqual([]);
  });

  it('keeps the tfjs-only parts of core free of Node and of the rest of core, for the compute page', () => {
    const inside = imports.filter(({ from }) => isTfjsOnly(inSrc(from)));
    expect(inside.length).toBeGreaterThan(0);
    const broken = inside.filter(
      (entry) => isNodeBuiltin(entry.specifier) || (entry.target !== null && topFolder(entry) !== 'src/shared' && !isTfjsOnly(pathInSrc(entry))),
    );
    expect(broken.map(({ from, specifier }) => `${from} imports ${specifier}`)).toEqual([]);
  });

  it('lets nothing in src/ import the compute page: only the build does', () => {
    expect(
      imports
        .filter((entry) => topFolder(entry) === 'src/compute' && entry.node !== 'src/compute')
        .map(({ from, specifier }) => `${from} imports ${specifier}`),
    ).toEqual([]);
  });

  it('lets the renderer reach core only through the API in src/shared', () => {
    expect(
      breaking(
        'src/renderer',
        (entry) => !isNodeBuiltin(entry.specifier) && !isElectron(entry.specifier) && [null, 'src/renderer', 'src/shared'].includes(topFolder(entry)),
      ),
    ).toEqual([]);
  });
});
