// `maskbench train` as a user meets it: what it refuses before a run folder is made, and what it says.

import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli';
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
    ['webgpu', 'The webgpu backend runs in the compute page of the app or of `maskbench serve`, not in this process'],
    ['webgl', 'The webgl backend runs in the compute page of the app or of `maskbench serve`, not in this process'],
  ])('refuses %s, which cannot train here, before making a run folder', async (backend, message) => {
    const project = await projectWithDataset();
    const { code, out } = await cli('train', '--project', project, '--dataset', 'colours', '--backend', backend, '--json');
    expect(code).toBe(1);
    expect(JSON.parse(out)).toMatchObject({ error: { code: 'backend-unavailable', message: expect.stringContaining(message), where: { field: 'backend' } } });
    expect(await readdir(project)).toEqual(['datasets']);
  });
});
