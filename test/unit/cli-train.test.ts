// `maskbench train` as a user meets it: what it refuses before a run folder is made, and what it says.

import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { runCli } from '../../src/cli/cli';
import type { BackendUsed } from '../../src/shared/runs';
import { BIN, assertBuilt } from '../support/built-app';
import { writeSyntheticDataset } from '../support/synthetic-dataset';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();

/** Runs the CLI in this process, returning its exit code and what it printed. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (text) => (out += text + '\n'), err: (text) => (err += text + '\n') });
  return { code, out, err };
}

async function projectWithDataset(): Promise<string> {
  const project = await tempDir();
  await writeSyntheticDataset(project, 'colours', { size: 8 });
  return project;
}

describe('`maskbench train --backend`', () => {
  it.each([
    [
      'tensorflow-gpu',
      'The tensorflow-gpu backend cannot be used here: tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed. Install @tensorflow/tfjs-node-gpu',
    ],
    ['tensorflow', 'The tensorflow backend cannot be used here: tensorflow: @tensorflow/tfjs-node is not installed. Install @tensorflow/tfjs-node'],
    [
      'webgpu',
      'The webgpu backend runs in the compute page of the app or of `maskbench serve`, not in this process: start the work from the window, or choose another --backend (auto: the fastest that runs here).',
    ],
    [
      'webgl',
      'The webgl backend runs in the compute page of the app or of `maskbench serve`, not in this process: start the work from the window, or choose another --backend (auto: the fastest that runs here).',
    ],
  ])('refuses %s, which cannot train here, before making a run folder', async (backend, message) => {
    const project = await projectWithDataset();
    const { code, out } = await cli('train', '--project', project, '--dataset', 'colours', '--backend', backend, '--json');
    expect(code).toBe(1);
    expect(JSON.parse(out)).toMatchObject({ error: { code: 'backend-unavailable', message: expect.stringContaining(message), where: { field: 'backend' } } });
    expect(await readdir(project)).toEqual(['datasets']);
  });
});

describe('`maskbench train --project`', () => {
  it('says that a project folder is not there, rather than that its dataset is not', async () => {
    const missing = join(await tempDir(), 'no-such-project');
    const { code, out } = await cli('train', '--project', missing, '--dataset', 'colours', '--json');
    expect(code).toBe(1);
    expect(JSON.parse(out)).toMatchObject({ error: { code: 'not-found', message: `There is no project folder at ${missing}`, where: { field: 'project' } } });
    const project = await projectWithDataset();
    const other = await cli('train', '--project', project, '--dataset', 'nope', '--json');
    expect(JSON.parse(other.out)).toMatchObject({ error: { message: expect.stringMatching(/^There is no dataset "nope" in this project/) } });
  });
});

describe('`maskbench train --json`', () => {
  it('says why auto passed over each faster backend, in auto’s order, notes apart why the one used runs short, and gives the dataset’s warnings', async () => {
    const project = await projectWithDataset();
    process.env.MASKBENCH_WASM_THREADS = 'abc';
    onTestFinished(() => void delete process.env.MASKBENCH_WASM_THREADS);
    const { code, out } = await cli('train', '--project', project, '--dataset', 'colours', '--model', 'simple-conv', '--epochs', '1', '--json');
    expect(code).toBe(0);
    const { backend } = JSON.parse(out) as { backend: BackendUsed };
    expect(backend).toMatchObject({ name: 'wasm', requested: 'auto' });
    expect(backend.passedOver).toEqual([
      'tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed',
      'webgpu: runs only in a compute page (`maskbench serve` or the app), not in this process',
      'tensorflow: @tensorflow/tfjs-node is not installed',
      'webgl: runs only in a compute page (`maskbench serve` or the app), not in this process',
    ]);
    expect(backend.notes).toEqual(['MASKBENCH_WASM_THREADS=abc is not a whole number of threads, so every core is used']);
    // The lines `train` prints without --json: here, every class of val and test is under 20 crops.
    const { warnings } = JSON.parse(out) as { warnings: string[] };
    expect(warnings).toHaveLength(6);
    expect(warnings[0]).toBe('val has 8 MW crops (fewer than 20): its figures for MW are mostly noise');
  });
});

describe('Ctrl+C during `maskbench train`', () => {
  /** Trains for long, and presses Ctrl+C once the run's folder is there. */
  async function cancelled(...flags: string[]) {
    const project = await projectWithDataset();
    const runs = join(project, 'runs');
    const training = cli('train', '--project', project, '--dataset', 'colours', '--model', 'simple-conv', '--epochs', '10000', ...flags);
    await vi.waitFor(async () => expect(await readdir(runs)).toHaveLength(1), { timeout: 20_000, interval: 50 });
    process.emit('SIGINT');
    const [id] = await readdir(runs);
    return { ...(await training), id: id!, path: join(runs, id!) };
  }

  it('says the run was cancelled, with its id and folder to resume from', async () => {
    const { code, err, id, path } = await cancelled();
    expect(code).toBe(130);
    expect(err).toContain(`maskbench: Run ${id} was cancelled, and recorded as such in ${path}; --resume-from ${id} goes on from its last finished epoch`);
    expect(JSON.parse(await readFile(join(path, 'summary.json'), 'utf8'))).toMatchObject({ status: 'cancelled' });
  });

  it('with --json, prints the run id, its folder and a cancelled error', async () => {
    const { code, out, id, path } = await cancelled('--json');
    expect(code).toBe(130);
    expect(JSON.parse(out)).toEqual({
      runId: id,
      path,
      status: 'cancelled',
      error: { code: 'cancelled', message: expect.stringContaining(`Run ${id} was cancelled`), where: { file: path } },
    });
  });
});

describe('`maskbench train` flags', () => {
  it.each([
    ['--epochs', '-1'],
    ['--seed', '-1'],
  ])('answers %s %s with the flag’s range, as %s=%s', async (flag, value) => {
    const spaced = await cli('train', '--project', '/p', '--dataset', 'd', flag, value);
    expect(spaced.code).toBe(2);
    expect(spaced.err).toMatch(new RegExp(`^maskbench: ${flag} must be `));
    expect(spaced).toEqual(await cli('train', '--project', '/p', '--dataset', 'd', `${flag}=${value}`));
  });

  it('names --batch, once, when the batch is larger than the training set', async () => {
    const project = await projectWithDataset();
    const { code, err } = await cli('train', '--project', project, '--dataset', 'colours', '--batch', '100', '--backend', 'cpu');
    expect(code).toBe(2);
    expect(err).toBe('maskbench: --batch (100) is larger than the training set of dataset "colours" (72 crops)\n');
  });

  it('trains on --backend cpu without tfjs’s banner telling Node users to install tfjs-node', async () => {
    assertBuilt();
    const project = await projectWithDataset();
    // A process of its own: tfjs prints the banner once a process, on the cpu backend's first tensor.
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [
      BIN,
      'train',
      '--project',
      project,
      '--dataset',
      'colours',
      '--epochs',
      '1',
      '--backend',
      'cpu',
    ]);
    expect(stderr).toContain('Training on cpu on 1 thread');
    expect(stdout).toMatch(/^Run \S+ done after 1 epochs in .* on cpu on 1 thread/);
    expect(stdout + stderr).not.toContain('TensorFlow.js in Node.js');
  });
});

describe('`maskbench runs`', () => {
  it('tells runs apart by the settings in which they differ, and a lone run by none', async () => {
    const project = await projectWithDataset();
    const train = (...flags: string[]) =>
      cli('train', '--project', project, '--dataset', 'colours', '--model', 'simple-conv', '--epochs', '1', '--backend', 'cpu', ...flags);
    expect((await train('--seed', '1')).code).toBe(0);
    const alone = (await cli('runs', '--project', project)).out.trim();
    expect(alone).toMatch(/^\S+ {2}done {10}simple-conv colours {2}1\/1 epochs {2}cpu on 1 thread {2}val \d\.\d{3} test \d\.\d{3}$/);
    expect((await train('--seed', '2', '--lr', '0.003')).code).toBe(0);
    const lines = (await cli('runs', '--project', project)).out.trim().split('\n');
    // Newest first.
    expect(lines).toEqual([
      expect.stringMatching(/ {2}cpu on 1 thread {2}\[learning rate 0\.003, seed 2\] {2}val /),
      expect.stringMatching(/ {2}cpu on 1 thread {2}\[learning rate 0\.01, seed 1\] {2}val /),
    ]);
  });
});
