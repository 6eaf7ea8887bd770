// Every command that works on a project already made, given a --project that is not a folder: it says so
// before touching anything (train after its usage checks), rather than that the project has no runs, run
// or annotations.

import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();

/** Each command with what else it needs to get as far as reading its project. */
const COMMANDS: Array<[string, (out: string) => string[]]> = [
  ['runs', () => ['runs']],
  ['dataset', () => ['dataset', '--name', 'heads']],
  ['train', () => ['train', '--dataset', 'heads']],
  ['sweep', () => ['sweep', '--study', 'strides']],
  ['predict', () => ['predict', '--run', 'r1']],
  ['review', () => ['review', '--run', 'r1']],
  ['detect', () => ['detect']],
  ['export', (out) => ['export', '--format', 'voc', '--out', out]],
  ['validate', (out) => ['validate', join(out, 'annotations.xml')]],
  ['import', (out) => ['import', join(out, 'annotations.xml')]],
];

async function cliJson(args: string[]): Promise<{ code: number; error: { code: string; message: string; where: unknown } }> {
  let out = '';
  const code = await runCli([...args, '--json'], { out: (text) => (out += text), err: () => {} });
  return { code, ...(JSON.parse(out) as { error: { code: string; message: string; where: unknown } }) };
}

describe('--project that is not a folder', () => {
  it.each(COMMANDS)('`maskbench %s` names a missing project folder, and makes nothing', async (_, args) => {
    const folder = await tempDir();
    const missing = join(folder, 'no-such-project');
    const out = join(folder, 'out');
    expect(await cliJson([...args(out), '--project', missing])).toEqual({
      code: 1,
      error: { code: 'not-found', message: `There is no project folder at ${missing}`, where: { file: missing, field: 'project' } },
    });
    await expect(access(missing)).rejects.toThrow();
    await expect(access(out)).rejects.toThrow();
  });

  it.each(COMMANDS)('`maskbench %s` refuses a file given as the project folder', async (_, args) => {
    const folder = await tempDir();
    const file = join(folder, 'project.json');
    await writeFile(file, '{}');
    expect(await cliJson([...args(join(folder, 'out')), '--project', file])).toMatchObject({
      code: 1,
      error: { code: 'not-a-directory', message: `${file} is a file, not a project folder`, where: { file, field: 'project' } },
    });
  });

  it('is said in words on the command line', async () => {
    const missing = join(await tempDir(), 'typo');
    let err = '';
    const code = await runCli(['runs', '--project', missing], { out: () => {}, err: (text) => (err += `${text}\n`) });
    expect({ code, err }).toEqual({ code: 1, err: `maskbench: There is no project folder at ${missing} (file ${missing})\n` });
  });
});
