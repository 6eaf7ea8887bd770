// Sweeps: a grid of settings that becomes a group of queued runs, and the study's own comparisons as
// sweeps one click away.

import { DATASET_DEFAULTS, datasetOptionsSchema, type DatasetOptions } from './dataset';
import { TRAINING_DEFAULTS, trainingSettingsSchema, type TrainingOptions } from './runs';
import { fields, v, type Output, type Schema } from './schema';

/** More runs than this in one sweep is almost always a typo in the grid. */
export const MAX_SWEEP_RUNS = 64;

/** The values to try of a setting: each checked as the option it stands for. */
function values<S extends Schema>(option: S) {
  return v.optional(v.pipe(v.array(option, 'a list of values'), v.minLength(1, 'a list of one value or more')));
}

const training = trainingSettingsSchema.entries;
const dataset = datasetOptionsSchema.entries;

/** The values to try of each setting; a setting left out keeps the base's value. */
export const sweepGridSchema = fields({
  learningRate: values(v.unwrap(training.learningRate)),
  batchSize: values(v.unwrap(training.batchSize)),
  model: values(v.unwrap(training.model)),
  /** Several training seeds tell a setting's effect from a run's luck. */
  seed: values(v.unwrap(training.seed)),
  augmentShift: values(v.unwrap(training.augmentShift)),
  augmentColour: values(v.unwrap(training.augmentColour)),
  /** Dataset settings: each combination gets a dataset of its own (built, or rebuilt, first). */
  stride: values(v.unwrap(dataset.stride)),
  crop: values(v.unwrap(dataset.crop)),
  flip: values(v.unwrap(dataset.flip)),
});

/** A sweep's group name: its runs carry it, and its datasets are named after it. */
export const sweepNameSchema = v.pipe(v.string('a name'), v.regex(/^[\w-]{1,40}$/, '1 to 40 letters, digits, - or _'));

export const sweepRequestSchema = v.pipe(
  fields({
    name: sweepNameSchema,
    dataset: v.optional(datasetOptionsSchema, {}),
    training: v.optional(trainingSettingsSchema, {}),
    grid: v.optional(sweepGridSchema, {}),
  }),
  v.forward(
    v.check(
      (sweep) => sweepSize(sweep.grid) <= MAX_SWEEP_RUNS,
      (issue) => `a grid of at most ${MAX_SWEEP_RUNS} runs (this one makes ${sweepSize((issue.input as { grid: SweepGrid }).grid)})`,
    ),
    ['grid'],
  ),
);

export type SweepGrid = Output<typeof sweepGridSchema>;
export type SweepRequest = Output<typeof sweepRequestSchema>;

/** How many runs a grid makes. */
export function sweepSize(grid: SweepGrid): number {
  return Object.values(grid).reduce((count, list) => count * (list?.length ?? 1), 1);
}

/** The study's dataset: whole-person boxes of every 40th frame, MW and NM (ND counted as NM), undersampled. */
const STUDY_DATASET: DatasetOptions = {
  ...DATASET_DEFAULTS,
  stride: 40,
  classes: 'MW,NM',
  ndPolicy: 'merge',
  balance: 'undersample',
  crop: 'box',
  flip: false,
};
/** Its training: conv-bn, SGD with momentum 0.9, and none of our augmentation (the study had none). */
const STUDY_TRAINING: Omit<TrainingOptions, 'dataset'> = {
  ...TRAINING_DEFAULTS,
  model: 'conv-bn',
  optimizer: 'sgd',
  momentum: 0.9,
  learningRate: 0.01,
  batchSize: 64,
  epochs: 40,
  augmentFlip: false,
  augmentShift: 0,
  augmentColour: 0,
};

export interface StudyComparison {
  id: string;
  title: string;
  /** Where the study shows it. */
  figures: string;
  sweep: SweepRequest;
}

export const STUDY_COMPARISONS: readonly StudyComparison[] = [
  {
    id: 'study-stride',
    title: 'Every 20th, 40th or 60th frame',
    figures: 'Figures 11 and 12',
    sweep: { name: 'study-stride', dataset: STUDY_DATASET, training: STUDY_TRAINING, grid: { stride: [20, 40, 60] } },
  },
  {
    id: 'study-flip',
    title: 'Flipped copies or none',
    figures: 'Figures 13 and 14',
    sweep: { name: 'study-flip', dataset: STUDY_DATASET, training: STUDY_TRAINING, grid: { flip: [false, true] } },
  },
  {
    id: 'study-batch',
    title: 'Batch size 4, 8, 32, 64',
    figures: 'Figures 15 and 16',
    sweep: { name: 'study-batch', dataset: STUDY_DATASET, training: STUDY_TRAINING, grid: { batchSize: [4, 8, 32, 64] } },
  },
  {
    id: 'study-lr',
    title: 'Learning rate 0.01, 0.005, 0.001',
    figures: 'Figures 17 and 18',
    sweep: { name: 'study-lr', dataset: STUDY_DATASET, training: { ...STUDY_TRAINING, batchSize: 8 }, grid: { learningRate: [0.01, 0.005, 0.001] } },
  },
  {
    id: 'study-models',
    title: 'The four models',
    figures: 'Figures 19 and 20',
    sweep: {
      name: 'study-models',
      dataset: STUDY_DATASET,
      training: { ...STUDY_TRAINING, batchSize: 8, learningRate: 0.001, epochs: 80 },
      grid: { model: ['simple-conv', 'conv-bn', 'lenet5', 'resnet50'] },
    },
  },
];
