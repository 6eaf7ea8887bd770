// A sweep's grid (checked by its declaration in shared/sweeps) expanded into one training run per
// combination, each with the dataset its dataset settings need.

import type { DatasetOptions } from '../../shared/dataset';
import type { TrainingOptions } from '../../shared/runs';
import type { SweepRequest } from '../../shared/sweeps';

export interface SweepRun {
  datasetName: string;
  datasetOptions: DatasetOptions;
  options: TrainingOptions;
}

const TRAINING_KEYS = ['learningRate', 'batchSize', 'model'] as const;
const DATASET_KEYS = ['stride', 'crop', 'flip'] as const;

/** Every combination of the grid, datasets first (so runs on one dataset sit together). */
export function expandSweep(request: SweepRequest): SweepRun[] {
  const { grid } = request;
  const datasets = product<readonly [string, unknown]>(
    DATASET_KEYS.map((key) => (grid[key] ?? [request.dataset[key]]).map((value: unknown) => [key, value] as const)),
  );
  const trainings = product<readonly [string, unknown]>(
    TRAINING_KEYS.map((key) => (grid[key] ?? [request.training[key]]).map((value: unknown) => [key, value] as const)),
  );
  return datasets.flatMap((datasetChoice) => {
    const datasetOptions = { ...request.dataset, ...Object.fromEntries(datasetChoice) } as DatasetOptions;
    const datasetName = `${request.name}-s${datasetOptions.stride}-${datasetOptions.crop}${datasetOptions.flip ? '-flip' : ''}`;
    return trainings.map((trainingChoice) => ({
      datasetName,
      datasetOptions,
      options: { ...request.training, ...Object.fromEntries(trainingChoice), dataset: datasetName } as TrainingOptions,
    }));
  });
}

function product<T>(lists: T[][]): T[][] {
  return lists.reduce<T[][]>((combos, list) => combos.flatMap((combo) => list.map((item) => [...combo, item])), [[]]);
}
