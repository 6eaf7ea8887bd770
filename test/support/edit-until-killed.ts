// The crash test's two sides. Run as a script (bundled by buildHarness), this edits a project's
// annotations every 10 ms through the real store and prints "<edit number> <time>" after each, until it
// is killed. Imported, it runs that script, kills it with SIGKILL and reports what the kill left on disk.

import { spawn } from 'node:child_process';
import { readFile, readdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AnnotationStore } from '../../src/core/project/annotation-store';
import { parseAnnotations } from '../../src/core/project/annotations-file';
import { readJsonLines } from '../../src/core/fs/json-file';
import { projectPaths } from '../../src/core/project/layout';
import { ROOT } from './built-app';

const LABELS = ['MW', 'NM', 'ND'];

/** Edit n of run r moves the first box of the first track to x = n / 100, y = r: the saved file tells which edit of which run reached the disk. */
async function editUntilKilled(project: string, run: number): Promise<void> {
  const store = (await AnnotationStore.load(project, LABELS))!;
  const track = store.annotations.tracks[0]!;
  const frame = track.shapes[0]!.frame;
  let count = 0;
  setInterval(() => {
    count++;
    store.apply({ type: 'move-box', trackId: track.id, frame, box: { xtl: count / 100, ytl: run, xbr: count / 100 + 50, ybr: run + 100 } });
    process.stdout.write(`${count} ${Date.now()}\n`);
  }, 10);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await editUntilKilled(process.argv[2]!, Number(process.argv[3]));

/** Bundles this file into `outDir` as a plain Node script, whole: it runs from there, where no node_modules is found. */
export async function buildHarness(outDir: string): Promise<string> {
  const { build } = await import('vite');
  await build({
    configFile: false,
    logLevel: 'silent',
    root: ROOT,
    ssr: { noExternal: true },
    build: {
      ssr: join(ROOT, 'test/support/edit-until-killed.ts'),
      outDir,
      target: 'node20',
      // Only the importing side builds; the script never loads vite.
      rollupOptions: { external: ['vite'], output: { format: 'es', entryFileNames: 'harness.mjs' } },
    },
  });
  return join(outDir, 'harness.mjs');
}

export interface Crash {
  /** Edits the script acknowledged (printed) before it was killed. */
  acknowledged: number;
  /** How long before the kill the first acknowledged edit missing from annotations.json was made; 0 when none is missing. */
  lostMs: number;
  /** Files that are not whole annotations: annotations.json and the copies in history/. */
  invalid: string[];
  /** Temp files the kill left (it cut a write off), and those still there once the project was opened again. */
  tempFiles: string[];
  tempFilesAfterOpen: string[];
}

/**
 * Runs the script on `project` as run number `run`, kills it `killAfterMs` after its first edit, and opens
 * the project again. The copies in history/ are first dated back ten minutes, so that the run's first
 * save copies the file as well: kills land in copies too.
 */
export async function crashWhileEditing(harness: string, project: string, run: number, killAfterMs: number): Promise<Crash> {
  const { history } = projectPaths(project);
  const tenMinutesAgo = new Date(Date.now() - 10 * 60 * 1000);
  for (const name of await copiesIn(history)) await utimes(join(history, name), tenMinutesAgo, tenMinutesAgo);

  const child = spawn(process.execPath, [harness, project, String(run)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  let killedAt = 0;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    if (output === '') {
      setTimeout(() => {
        killedAt = Date.now();
        child.kill('SIGKILL');
      }, killAfterMs);
    }
    output += chunk;
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('close', (_, signal) => resolve(signal)));
  if (signal !== 'SIGKILL') throw new Error(`The harness ended by itself (signal ${signal}) after printing ${JSON.stringify(output.slice(-200))}`);
  // A line the kill cut off was not acknowledged.
  const edits = output
    .split('\n')
    .slice(0, -1)
    .map((line) => line.split(' ').map(Number) as [number, number]);

  const invalid: string[] = [];
  /** The annotations in `file`, with the journal's lines applied when given (as the next open reads them); null when they do not open. */
  const parse = async (file: string, journal?: string) => {
    try {
      const lines = journal ? ((await readJsonLines(journal)) ?? []) : [];
      return parseAnnotations(await readFile(file, 'utf8'), file, journal ? { lines, file: journal } : undefined);
    } catch {
      invalid.push(journal ?? file);
      return null;
    }
  };
  for (const copy of await copiesIn(history)) await parse(join(history, copy));
  const { annotations, annotationsJournal } = projectPaths(project);
  // Above 1 MB, saves append the changed tracks to the journal.
  const box = (await parse(annotations)) && (await parse(annotations, annotationsJournal))?.tracks[0]!.shapes[0];
  const saved = box?.ytl === run ? Math.round(box.xtl * 100) : 0;
  const firstLost = edits.find(([count]) => count > saved);

  const tempFiles = await tempFilesIn(project);
  // The next open, as the app makes it; a broken annotations.json is already counted.
  await AnnotationStore.load(project, LABELS).catch(() => null);
  return {
    acknowledged: edits.length,
    lostMs: firstLost ? killedAt - firstLost[1] : 0,
    invalid,
    tempFiles,
    tempFilesAfterOpen: await tempFilesIn(project),
  };
}

async function copiesIn(history: string): Promise<string[]> {
  return (await readdir(history).catch(() => [] as string[])).filter((name) => name.endsWith('.json'));
}

async function tempFilesIn(project: string): Promise<string[]> {
  const inHistory = (await readdir(projectPaths(project).history).catch(() => [] as string[])).map((name) => `history/${name}`);
  return [...(await readdir(project)), ...inHistory].filter((name) => name.endsWith('.tmp'));
}
