import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelCost } from '../../src/core/training/models';
import { parallelPlan } from '../../src/core/training/parallel/data-parallel';
import { wasmThreads } from '../../src/core/training/wasm/thread-count';
import { BIN, ROOT, assertBuilt, serve } from '../support/built-app';
import { useTempDirs } from '../support/temp-dir';

const run = promisify(execFile);
const isolatedDataDir = mkdtempSync(join(tmpdir(), 'maskbench-cli-data-'));

/** Runs the built CLI; resolves with its exit code and output instead of throwing on failure. */
async function maskbench(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // Never the developer's own data folder.
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, MASKBENCH_DATA_DIR: isolatedDataDir } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('maskbench CLI', () => {
  const tempDir = useTempDirs();
  beforeAll(assertBuilt);
  afterAll(() => rm(isolatedDataDir, { recursive: true, force: true }));

  it('prints its version, as text and as JSON', async () => {
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await maskbench('--version')).toMatchObject({ code: 0, stdout: `${version}\n` });
    expect(JSON.parse((await maskbench('--version', '--json')).stdout)).toEqual({ version });
  });

  it('explains usage errors and exits 2', async () => {
    const unknown = await maskbench('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const badOption = await maskbench('serve', '--colour', 'red');
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/serve: .*--colour/);
    const badPort = await maskbench('serve', '--port', '70000', '--json');
    expect(badPort.code).toBe(2);
    expect(JSON.parse(badPort.stdout)).toMatchObject({ error: { code: 'invalid-request', where: { field: 'port' } } });
  });

  it('refuses to serve a project folder that does not exist, exiting 1', async () => {
    const missing = join(await tempDir(), 'nope');
    const text = await maskbench('serve', '--project', missing);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain(`There is no project folder at ${missing}`);
    const json = await maskbench('serve', '--project', missing, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'not-found', where: { file: missing } } });
  });

  it('serves the built app at the printed URL, with the project open', async () => {
    const project = await tempDir();
    await writeFile(join(project, 'note.txt'), 'hi');
    const server = await serve(['--project', project], await tempDir());
    try {
      const page = await fetch(server.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app"></div>');
      expect((await fetch(new URL('/', server.url))).status).toBe(401);
    } finally {
      await server.stop();
    }
    expect(server.child.exitCode).toBe(0);
  });

  it('writes a sample project and summarises it, as text and as JSON', async () => {
    const parent = await tempDir();
    const text = await maskbench('sample', join(parent, 'a'), '--frames', '20', '--width', '320', '--height', '180', '--label-noise', '0.1');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Wrote the sample project to ${join(parent, 'a')}`);
    expect(text.stdout).toMatch(/20 frames at 320x180, 25 fps; \d+ people; \d+ boxes \(MW \d+, NM \d+, ND \d+\)/);
    expect(text.stderr).toContain('100% Rendering frame 20 of 20');
    const json = await maskbench('sample', join(parent, 'b'), '--frames', '20', '--width', '320', '--height', '180', '--seed', '7', '--json');
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toMatchObject({ path: join(parent, 'b'), frames: 20, labelNoise: null });
  });

  it('explains bad sample options and a folder it must not overwrite', async () => {
    const parent = await tempDir();
    const odd = await maskbench('sample', join(parent, 'x'), '--width', '321');
    expect([odd.code, odd.stderr.trim()]).toEqual([2, 'maskbench: --width must be an even whole number from 160 to 3840, got 321']);
    const word = await maskbench('sample', join(parent, 'x'), '--frames', 'many');
    expect([word.code, word.stderr.trim()]).toEqual([2, 'maskbench: --frames must be a number, got "many"']);
    expect((await maskbench('sample')).stderr).toContain('sample: missing DIR');
    const help = await maskbench('sample', '--help');
    expect([help.code, help.stdout]).toEqual([0, expect.stringContaining('--label-noise P')]);
    await writeFile(join(parent, 'keep.txt'), 'mine');
    const occupied = await maskbench('sample', parent, '--frames', '5', '--width', '320', '--height', '180');
    expect(occupied.code).toBe(1);
    expect(occupied.stderr).toContain(`${parent} is not empty: choose an empty or new folder, or replace an earlier sample with --force`);
    const forced = await maskbench('sample', parent, '--frames', '5', '--width', '320', '--height', '180', '--force');
    expect([forced.code, forced.stderr.trim()]).toEqual([
      1,
      `maskbench: ${parent} does not hold a sample project (it has no sample.json), so it is not replaced even with --force (file ${parent})`,
    ]);
    expect(await readFile(join(parent, 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('makes a project around a video, referenced where it is or copied in, and imports into it without --force', async () => {
    const parent = await tempDir();
    const sample = join(parent, 'sample');
    expect((await maskbench('sample', sample, '--frames', '30', '--width', '320', '--height', '180')).code).toBe(0);
    const video = join(sample, 'media', 'walkway.mp4');
    const made = await maskbench('new', join(parent, 'campus'), '--media', video);
    expect([made.code, made.stdout]).toEqual([0, `Made ${join(parent, 'campus')}: video ../sample/media/walkway.mp4, 30 frames at 320x180, 25 fps\n`]);
    // A new project's annotations are empty: an import needs no --force.
    expect((await maskbench('import', join(sample, 'annotations', 'voc'), '--project', join(parent, 'campus'))).code).toBe(0);
    const copied = JSON.parse((await maskbench('new', join(parent, 'copied'), '--media', video, '--keep', 'copy', '--json')).stdout);
    expect(copied.settings.media.path).toBe('walkway.mp4');
    expect(await readdir(join(parent, 'copied'))).toContain('walkway.mp4');
    const again = await maskbench('new', join(parent, 'copied'), '--media', video);
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('is a project already')]);
    const wrong = await maskbench('new', join(parent, 'other'), '--media', video, '--keep', 'move');
    expect([wrong.code, wrong.stderr]).toEqual([2, expect.stringContaining('--keep must be one of copy, reference, got "move"')]);
  });

  it('imports, exports and validates annotations, on a project it makes from a video', async () => {
    const parent = await tempDir();
    const sample = join(parent, 'sample');
    expect((await maskbench('sample', sample, '--frames', '30', '--width', '320', '--height', '180', '--label-noise', '0.1')).code).toBe(0);
    const project = join(parent, 'project');
    await mkdir(project);
    await copyFile(join(sample, 'media', 'walkway.mp4'), join(project, 'clip.mp4'));

    const imported = await maskbench('import', join(sample, 'annotations', 'voc'), '--project', project, '--media', join(project, 'clip.mp4'), '--json');
    expect(imported.code).toBe(0);
    const report = JSON.parse(imported.stdout);
    const truth = JSON.parse(await readFile(join(sample, 'sample.json'), 'utf8'));
    expect(report).toMatchObject({ format: 'voc', frames: 30, boxes: truth.boxes, tracks: truth.people, createdProject: true, problems: [] });
    expect(JSON.parse(await readFile(join(project, 'project.json'), 'utf8')).media).toEqual({
      kind: 'video',
      path: 'clip.mp4',
      fps: 25,
      frameCount: 30,
      width: 320,
      height: 180,
    });
    expect(await readdir(join(project, 'imports'))).toEqual([expect.stringMatching(/-voc$/)]);

    const again = await maskbench('import', join(sample, 'annotations', 'cvat-video.xml'), '--project', project);
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('already has annotations: replace them with --force')]);
    expect((await maskbench('import', join(sample, 'annotations', 'noisy', 'cvat-video.xml'), '--project', project, '--force')).code).toBe(0);
    expect(await readdir(join(project, 'history'))).toHaveLength(1);

    const exported = await maskbench('export', '--project', project, '--format', 'cvat-images', '--out', join(parent, 'out.xml'));
    expect(exported.stdout).toContain(`Wrote ${truth.boxes} boxes in ${truth.people} tracks over 30 frames to ${join(parent, 'out.xml')} (cvat-images)`);
    expect(exported.stdout).toContain('not kept: which of the');
    const valid = await maskbench('validate', join(parent, 'out.xml'), '--project', project);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toContain(`${truth.boxes} boxes`);
  });

  it('exits 1 from validate when a file has errors, listing them by file and line', async () => {
    const file = join(await tempDir(), 'bad.xml');
    await writeFile(
      file,
      '<annotations>\n<image id="0" name="a.jpg" width="100" height="100">\n<box label="MW" xtl="50" ytl="10" xbr="20" ybr="40"/>\n</image>\n</annotations>',
    );
    const result = await maskbench('validate', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error ${file}:3: the box has xmax <= xmin (50, 10, 20, 40); it is skipped`);
    const missing = await maskbench('import', file);
    expect([missing.code, missing.stderr.trim()]).toEqual([2, 'maskbench: --project is required']);
    const badFormat = await maskbench('validate', file, '--format', 'yolo');
    expect(badFormat.stderr).toContain('--format must be one of voc, cvat-video, cvat-images, got "yolo"');
  });

  it('builds a crop dataset, and explains bad dataset options', async () => {
    const project = join(await tempDir(), 'walkway');
    expect((await maskbench('sample', project, '--frames', '40', '--width', '320', '--height', '180')).code).toBe(0);
    const built = await maskbench(
      'dataset',
      '--project',
      project,
      '--name',
      'small',
      '--stride',
      '2',
      '--gap',
      '2',
      '--crop',
      'head',
      '--size',
      '32',
      '--json',
    );
    expect(built.code).toBe(0);
    const summary = JSON.parse(built.stdout);
    expect(summary).toMatchObject({ name: 'small', path: join(project, 'datasets', 'small') });
    expect(summary.crops).toBeGreaterThan(10);
    expect(JSON.parse(await readFile(join(project, 'datasets', 'small', 'manifest.json'), 'utf8')).samples).toHaveLength(summary.crops);
    const again = await maskbench('dataset', '--project', project, '--name', 'small');
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('already exists')]);
    const bad = await maskbench('dataset', '--project', project, '--name', 'x', '--split', '0.5,0.2,0.2');
    expect([bad.code, bad.stderr.trim()]).toEqual([
      2,
      'maskbench: --split must be three fractions (train, val, test) that add up to 1, with train above 0, got [0.5,0.2,0.2]',
    ]);
    const badChoice = await maskbench('dataset', '--project', project, '--name', 'x', '--crop', 'face');
    expect(badChoice.stderr).toContain('--crop must be one of box, head, got "face"');
  });

  it('trains a sweep here, one run after another, filed under its group; and explains a sweep file it cannot take', async () => {
    const project = join(await tempDir(), 'walkway');
    expect((await maskbench('sample', project, '--frames', '60', '--width', '320', '--height', '180')).code).toBe(0);
    const file = join(project, '..', 'sweep.json');
    const sweep = {
      name: 'pair',
      dataset: { stride: 2, gap: 4, crop: 'head', size: 32 },
      training: { model: 'simple-conv', epochs: 1, batchSize: 16 },
      grid: { learningRate: [0.01, 0.003] },
    };
    await writeFile(file, JSON.stringify(sweep));
    const swept = await maskbench('sweep', '--project', project, '--file', file, '--json');
    expect(swept.code).toBe(0);
    const result = JSON.parse(swept.stdout) as { group: string; runs: Array<{ runId: string; status: string }>; refused: unknown[] };
    expect(result).toMatchObject({ group: 'pair', refused: [], runs: [{ status: 'done' }, { status: 'done' }] });
    const runs = JSON.parse((await maskbench('runs', '--project', project, '--json')).stdout) as Array<{
      config: { group: string; options: { learningRate: number }; backend: { threads: number; workers?: number } };
    }>;
    expect(runs.map((run) => [run.config.group, run.config.options.learningRate]).sort()).toEqual([
      ['pair', 0.003],
      ['pair', 0.01],
    ]);
    // Every core, shared out as the app's runs share them: here (2 cores) two single-threaded workers.
    const plan = parallelPlan(wasmThreads().count, 16, modelCost('simple-conv', { size: 32, classes: 3 }));
    for (const { config } of runs) expect([config.backend.workers ?? 1, config.backend.threads]).toEqual([plan.members, plan.threads]);
    await writeFile(file, JSON.stringify({ ...sweep, grid: { learningRate: [0.01, -1] } }));
    const bad = await maskbench('sweep', '--project', project, '--file', file);
    expect([bad.code, bad.stderr.trim()]).toEqual([
      2,
      `maskbench: ${file}: "grid.learningRate[1]" must be a number above 0 up to 10, got -1 (file ${file}, field grid.learningRate[1])`,
    ]);
    expect((await maskbench('sweep', '--project', project)).stderr.trim()).toBe('maskbench: Give either --study or --file');
  });

  it('finds people in a sample video, scores the draft against its labels, and explains bad detect options', async () => {
    const project = join(await tempDir(), 'walkway');
    await maskbench('sample', project, '--frames', '24', '--width', '640', '--height', '360');
    const found = await maskbench('detect', '--project', project, '--every', '3', '--json');
    expect(found.code).toBe(0);
    const summary = JSON.parse(found.stdout.trim().split('\n').at(-1)!) as { framesDetected: number; tracks: number; score: { recall: number } };
    expect(summary.framesDetected).toBe(8);
    expect(summary.tracks).toBeGreaterThan(0);
    expect(summary.score.recall).toBeGreaterThan(0.5);
    const again = await maskbench('detect', '--project', project, '--to', '2');
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('holds an earlier draft of people')]);
    const bad = await maskbench('detect', '--project', project, '--min-detections', '0', '--replace');
    expect(bad.stderr.trim()).toBe('maskbench: --min-detections must be a whole number from 1 to 1000, got 0');
  });

  it('says clearly when the port is taken', async () => {
    const first = await serve(['--project', await tempDir()], await tempDir());
    try {
      const port = new URL(first.url).port;
      const second = await maskbench('serve', '--port', port);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`Port ${port} is already in use`);
    } finally {
      await first.stop();
    }
  });
});
