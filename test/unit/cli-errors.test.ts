// How the command line words core's errors: the field an error is about is named by the flag the user
// typed, and once.

import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli';
import { predictCommand } from '../../src/cli/commands/predict';
import { trainCommand } from '../../src/cli/commands/train';
import { describeForCli, wordForCli } from '../../src/cli/flags';
import type { WorkbenchErrorData } from '../../src/shared/errors';
import { writeSyntheticDataset } from '../support/synthetic-dataset';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();

const error = (message: string, where: WorkbenchErrorData['where']): WorkbenchErrorData => ({ code: 'invalid-request', message, where });

describe('describeForCli', () => {
  it('names a field by the flag that sets it, runId by --run', () => {
    expect(describeForCli(error('There is no run r9 in this project', { field: 'runId' }), predictCommand)).toBe(
      'There is no run r9 in this project (flag --run)',
    );
  });

  it('turns a quoted field into its flag and does not name it again', () => {
    const tooLarge = error('"options.batchSize" must be at most 4096', { field: 'options.batchSize' });
    expect(describeForCli(tooLarge, trainCommand)).toBe('--batch must be at most 4096');
    // Scripts reading --json keep core's names.
    expect(wordForCli(tooLarge, trainCommand)).toEqual({ ...tooLarge, message: '--batch must be at most 4096' });
  });

  it('does not name a field that the message already says in words, and keeps the file', () => {
    const missing = error('There is no project folder at /p', { file: '/p', field: 'project' });
    expect(describeForCli(missing, predictCommand)).toBe('There is no project folder at /p (file /p)');
    const inOptions = error('model in --options differs from what run r1 was prepared with', { field: 'model' });
    expect(describeForCli(inOptions, trainCommand)).toBe('model in --options differs from what run r1 was prepared with');
  });

  it('keeps core’s name for a field that no flag of the command sets', () => {
    expect(describeForCli(error('Track 4 is not in this project', { file: '/p/a.xml', line: 3, field: 'trackId' }), predictCommand)).toBe(
      'Track 4 is not in this project (file /p/a.xml, line 3, field trackId)',
    );
  });
});

describe('a wrong name on the command line', () => {
  it('`maskbench predict --run` with no such run names --run, and `train --dataset` the dataset’s file once', async () => {
    const project = await tempDir();
    await writeSyntheticDataset(project, 'colours', { size: 8 });
    let err = '';
    const output = { out: () => {}, err: (text: string) => (err += `${text}\n`) };
    expect(await runCli(['predict', '--project', project, '--run', 'r9'], output)).toBe(1);
    expect(err).toBe('maskbench: There is no run r9 in this project (flag --run)\n');
    err = '';
    expect(await runCli(['train', '--project', project, '--dataset', 'nope'], output)).toBe(1);
    expect(err).toBe(`maskbench: There is no dataset "nope" in this project (file ${project}/datasets/nope/manifest.json)\n`);
  });
});
