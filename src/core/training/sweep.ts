// A sweep's grid, checked and expanded into one training run per combination, each with the dataset
// its dataset settings need.

import type { DatasetOptions } from '../../shared/dataset';
import { WorkbenchError } from '../../shared/errors';
import type { TrainingOptions } from '../../shared/runs';
import { MAX_SWEEP_RUNS, type SweepGrid, type SweepRequest } from '../../shared/sweeps';
import { readDatasetOptions } from '../dataset/read-options';
import { readTrainingOptions } from './training-options';

export interface SweepRun {
  datasetName: string;
  datasetOptions: DatasetOptions;
  options: TrainingOptions;
}

const TRAINING_KEYS = ['learningRate', 'batchSize', 'model'] as const;
const DATASET_KEYS = ['stride', 'crop', 'flip'] as const;

export function readSweepRequest(value: unknown): SweepRequest {
  const given = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const name = given.name;
  if (typeof name !== 'string' || !/^[\w-]{1,40}$/.test(name)) throw new WorkbenchError('invalid-request', 'sweep.name must be 1 to 40 letters, digits, - or _', { field: 'sweep.name' });
  const dataset = readDatasetOptions(given.dataset);
  const training = readTrainingOptions({ ...(given.training as object), dataset: name }, 'sweep.training.');
  const grid = (typeof given.grid === 'object' && given.grid !== null ? given.grid : {}) as Record<string, unknown>;
  for (const key of Object.keys(grid)) {
    const values = grid[key];
    if (!([...TRAINING_KEYS, ...DATASET_KEYS] as readonly string[]).includes(key)) throw new WorkbenchError('invalid-request', `sweep.grid.${key} is not a setting a sweep can vary (${[...TRAINING_KEYS, ...DATASET_KEYS].join(', ')})`, { field: `sweep.grid.${key}` });
    if (!Array.isArray(values) || values.length === 0) throw new WorkbenchError('invalid-request', `sweep.grid.${key} must list one value or more`, { field: `sweep.grid.${key}` });
    // Each value is checked as the option it stands for.
    for (const one of values) {
      if ((TRAINING_KEYS as readonly string[]).includes(key)) readTrainingOptions({ ...training, [key]: one }, 'sweep.grid.');
      else readDatasetOptions({ ...dataset, [key]: one });
    }
  }
  const { dataset: _, ...base } = training;
  const request: SweepRequest = { name, dataset, training: base, grid: grid as SweepGrid };
  const count = expandSweep(request).length;
  if (count > MAX_SWEEP_RUNS) throw new WorkbenchError('invalid-request', `This grid makes ${count} runs; a sweep takes at most ${MAX_SWEEP_RUNS}`, { field: 'sweep.grid' });
  return request;
}

/** Every combination of the grid, datasets first (so runs on one dataset sit together). */
export function expandSweep(request: SweepRequest): SweepRun[] {
  const { grid } = request;
  const datasets = product(DATASET_KEYS.map((key) => (grid[key] ?? [request.dataset[key]]).map((value) => [key, value] as const)));
  const trainings = product(TRAINING_KEYS.map((key) => (grid[key] ?? [request.training[key]]).map((value) => [key, value] as const)));
  return datasets.flatMap((datasetChoice) => {
    const datasetOptions = { ...request.dataset, ...Object.fromEntries(datasetChoice) } as DatasetOptions;
    const datasetName = `${request.name}-s${datasetOptions.stride}-${datasetOptions.crop}${datasetOptions.flip ? '-flip' : ''}`;
    return trainings.map((trainingChoice) => ({ datasetName, datasetOptions, options: { ...request.training, ...Object.fromEntries(trainingChoice), dataset: datasetName } as TrainingOptions }));
  });
}

function product<T>(lists: T[][]): T[][] {
  return lists.reduce<T[][]>((combos, list) => combos.flatMap((combo) => list.map((item) => [...combo, item])), [[]]);
}
