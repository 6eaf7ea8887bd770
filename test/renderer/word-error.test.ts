import { describe, expect, it } from 'vitest';
import { describeForWindow } from '../../src/renderer/src/api/word-error';

describe('errors as the window words them', () => {
  it('names the setting instead of its request path, without the API method', () => {
    const error = {
      code: 'invalid-request' as const,
      message: 'startTraining: "options.batchSize" must be a whole number from 1 to 4096, got 0',
      where: { field: 'options.batchSize' },
    };
    expect(describeForWindow(error)).toBe('Batch size must be a whole number from 1 to 4096, got 0');
  });

  it('words a list entry by its place, and keeps the file and line of a file error', () => {
    expect(
      describeForWindow({ code: 'invalid-request', message: 'updateRun: "tags[0]" must be a tag of 1 to 40 characters, got ""', where: { field: 'tags[0]' } }),
    ).toBe('Tags (the 1st value) must be a tag of 1 to 40 characters, got ""');
    const sweep = (field: string) =>
      describeForWindow({ code: 'invalid-request', message: `startSweep: "${field}" must be a number above 0 up to 10, got -1`, where: { field } });
    expect(sweep('sweep.grid.learningRate[1]')).toBe('Learning rate (the 2nd value) must be a number above 0 up to 10, got -1');
    expect(sweep('sweep.grid.seed[2]')).toBe('Seed (the 3rd value) must be a number above 0 up to 10, got -1');
    expect(sweep('sweep.grid.momentum[10]')).toBe('Momentum (the 11th value) must be a number above 0 up to 10, got -1');
    expect(sweep('sweep.grid.batchSize[21]')).toBe('Batch size (the 22nd value) must be a number above 0 up to 10, got -1');
    expect(
      describeForWindow({
        code: 'invalid-project',
        message: '/p/project.json: "name" must be a non-empty string, got ""',
        where: { file: '/p/project.json', field: 'name' },
      }),
    ).toBe('/p/project.json: name must be a non-empty string, got "" (file /p/project.json)');
  });

  it('words every field a message names, and leaves labels and other words alone', () => {
    const error = {
      code: 'invalid-request' as const,
      message: 'planDataset: The val part would hold no crops: take a smaller "stride", a smaller "gap", or another "split"',
      where: { field: 'split' },
    };
    expect(describeForWindow(error)).toBe(
      'The val part would hold no crops: take a smaller "every n-th frame", a smaller "gap between parts", or another split',
    );
    const label = {
      code: 'invalid-request' as const,
      message: 'keepLabels: "labels[0].label" must be one of the project\'s labels, got "MW2"',
      where: { field: 'labels[0].label' },
    };
    expect(describeForWindow(label)).toBe('Label must be one of the project\'s labels, got "MW2"');
    // A flag the window sets with a box of another name is named by that box.
    const force = {
      code: 'already-exists' as const,
      message: '/out.xml already exists: choose a new path, or replace it with "force"',
      where: { file: '/out.xml' },
    };
    expect(describeForWindow(force)).toBe('/out.xml already exists: choose a new path, or replace it with the "replace" box (file /out.xml)');
    const lopsided = {
      code: 'invalid-dataset' as const,
      message: 'startTraining: In dataset "heads-32", MW has no crops in train (val 3, test 30): … or set "allowMissingClasses" to train without it',
      where: { field: 'allowMissingClasses' },
    };
    expect(describeForWindow(lopsided)).toBe(
      'In dataset "heads-32", MW has no crops in train (val 3, test 30): … or set the "train anyway" box to train without it',
    );
  });

  it('names a dataset setting as the Dataset view labels it', () => {
    const word = (message: string, field: string) => describeForWindow({ code: 'invalid-request', message: `planDataset: ${message}`, where: { field } });
    expect(word('"options.stride" must be a whole number from 1 to 1000000, got 0', 'options.stride')).toBe(
      '"Every n-th frame" must be a whole number from 1 to 1000000, got 0',
    );
    expect(word('"options.split[2]" must be a number from 0 to 1, got ""', 'options.split[2]')).toBe('The test fraction must be a number from 0 to 1, got ""');
    expect(word('"options.gap" must be a whole number from 0 to 1000000, got -1', 'options.gap')).toBe(
      '"Gap between parts" must be a whole number from 0 to 1000000, got -1',
    );
  });

  it('names a training setting as the Train view labels it', () => {
    const word = (message: string, field: string) => describeForWindow({ code: 'invalid-request', message: `startTraining: ${message}`, where: { field } });
    expect(word('"options.augmentColour" must be a number from 0 to 0.9, got 2', 'options.augmentColour')).toBe(
      '"Colour jitter up to" must be a number from 0 to 0.9, got 2',
    );
    expect(word('"options.augmentShift" must be a number from 0 to 0.5, got 0.7', 'options.augmentShift')).toBe(
      '"Shift up to" must be a number from 0 to 0.5, got 0.7',
    );
    expect(word('"options.patience" must be a whole number from 0 to 10000, got -1', 'options.patience')).toBe(
      '"Early stop after" must be a whole number from 0 to 10000, got -1',
    );
    expect(word('"options.stepFactor" must be a number above 0 up to 1, got 0', 'options.stepFactor')).toBe(
      '"Multiply by" must be a number above 0 up to 1, got 0',
    );
  });

  it('leaves out the field a message does not name, which the window has no control of that name for', () => {
    const lost = {
      code: 'backend-lost' as const,
      message: 'The compute page training on webgpu went away (closed); the run stopped there.',
      where: { field: 'backend' },
    };
    expect(describeForWindow(lost)).toBe('The compute page training on webgpu went away (closed); the run stopped there.');
  });
});
