// A sweep's grid (checked by its declaration in shared/sweeps) expanded into one training run per
// combination, each with the dataset its dataset settings need.

import type { DatasetOptions } from '../../shared/dataset';
import type { TrainingOptions } from '../../shared/runs';
import type { SweepGrid, SweepRequest } from '../../shared/sweeps';
import type { SweepResult } from '../../shared/jobs';
import { toErrorData } from '../../shared/errors';
import { preflight } from './training-options';

export interface SweepRun {
  datasetName: string;
  datasetOptions: DatasetOptions;
  options: TrainingOptions;
  /** Its training settings, as a refusal names the run (runLabel). */
  label: string;
}

const TRAINING_KEYS = ['learningRate', 'batchSize', 'model', 'seed', 'augmentShift', 'augmentColour'] as const;
const DATASET_KEYS = ['stride', 'crop', 'flip'] as const;
/** The training settings a label names only where the grid varies them. */
const VARIED_LABELS = { seed: 'seed', augmentShift: 'shift', augmentColour: 'colour jitter' } as const;

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
    return trainings.map((trainingChoice) => {
      const options = { ...request.training, ...Object.fromEntries(trainingChoice), dataset: datasetName } as TrainingOptions;
      return { datasetName, datasetOptions, options, label: runLabel(options, grid) };
    });
  });
}

/** "lenet5, lr 0.01, batch 8", then each other setting the grid varies. */
function runLabel(options: TrainingOptions, grid: SweepGrid): string {
  const varied = (Object.keys(VARIED_LABELS) as Array<keyof typeof VARIED_LABELS>).filter((key) => grid[key]);
  const always = `${options.model}, lr ${options.learningRate}, batch ${options.batchSize}`;
  return [always, ...varied.map((key) => `${VARIED_LABELS[key]} ${options[key]}`)].join(', ');
}

function product<T>(lists: T[][]): T[][] {
  return lists.reduce<T[][]>((combos, list) => combos.flatMap((combo) => list.map((item) => [...combo, item])), [[]]);
}

/** The datasets a sweep's runs need, each once, with the options it is built with. */
export function sweepDatasets(runs: readonly SweepRun[]): Array<[name: string, options: DatasetOptions]> {
  return [...new Map(runs.map((run) => [run.datasetName, run.datasetOptions])).entries()];
}

/**
 * Each run checked against its built dataset (preflight), then by `prepare` (which may refuse it too): the
 * runs that can go, with what `prepare` made of them, and the combinations that cannot, with why.
 */
export async function checkSweepRuns<T>(
  project: string,
  runs: readonly SweepRun[],
  prepare: (options: TrainingOptions) => Promise<T>,
): Promise<{ ready: Array<{ options: TrainingOptions; prepared: T }>; refused: SweepResult['refused'] }> {
  const ready: Array<{ options: TrainingOptions; prepared: T }> = [];
  const refused: SweepResult['refused'] = [];
  for (const run of runs) {
    try {
      await preflight(project, run.options);
      ready.push({ options: run.options, prepared: await prepare(run.options) });
    } catch (error) {
      refused.push({ dataset: run.datasetName, options: run.label, reason: toErrorData(error).message });
    }
  }
  return { ready, refused };
}
