// Sweeps: a grid of settings that becomes a group of queued runs, and the study's own comparisons as
// sweeps one click away.

import { DATASET_DEFAULTS, type DatasetOptions } from './dataset';
import { TRAINING_DEFAULTS, type TrainingOptions } from './runs';
import type { ModelName } from './training';

/** The values to try of each setting; a setting left out keeps the base's value. */
export interface SweepGrid {
  learningRate?: number[];
  batchSize?: number[];
  model?: ModelName[];
  /** Dataset settings: each combination gets a dataset of its own (built, or rebuilt, first). */
  stride?: number[];
  crop?: Array<DatasetOptions['crop']>;
  flip?: boolean[];
}

export interface SweepRequest {
  /** The group's name: its runs carry it, and its datasets are named after it. */
  name: string;
  dataset: DatasetOptions;
  training: Omit<TrainingOptions, 'dataset'>;
  grid: SweepGrid;
}

/** More runs than this in one sweep is almost always a typo in the grid. */
export const MAX_SWEEP_RUNS = 64;

/** The study's dataset: whole-person boxes of every 40th frame, MW and NM (ND counted as NM), undersampled. */
const STUDY_DATASET: DatasetOptions = { ...DATASET_DEFAULTS, stride: 40, classes: 'MW,NM', ndPolicy: 'merge', balance: 'undersample', crop: 'box', flip: false };
/** Its training: conv-bn, SGD with momentum 0.9, and none of our augmentation (the study had none). */
const STUDY_TRAINING: Omit<TrainingOptions, 'dataset'> = { ...TRAINING_DEFAULTS, model: 'conv-bn', optimizer: 'sgd', momentum: 0.9, learningRate: 0.01, batchSize: 64, epochs: 40, augmentFlip: false, augmentShift: 0, augmentColour: 0 };

export interface StudyComparison {
  id: string;
  title: string;
  /** Where the study shows it. */
  figures: string;
  sweep: SweepRequest;
}

export const STUDY_COMPARISONS: readonly StudyComparison[] = [
  { id: 'study-stride', title: 'Every 20th, 40th or 60th frame', figures: 'Figures 11 and 12', sweep: { name: 'study-stride', dataset: STUDY_DATASET, training: STUDY_TRAINING, grid: { stride: [20, 40, 60] } } },
  { id: 'study-flip', title: 'Flipped copies or none', figures: 'Figures 13 and 14', sweep: { name: 'study-flip', dataset: STUDY_DATASET, training: STUDY_TRAINING, grid: { flip: [false, true] } } },
  { id: 'study-batch', title: 'Batch size 4, 8, 32, 64', figures: 'Figures 15 and 16', sweep: { name: 'study-batch', dataset: STUDY_DATASET, training: STUDY_TRAINING, grid: { batchSize: [4, 8, 32, 64] } } },
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
    sweep: { name: 'study-models', dataset: STUDY_DATASET, training: { ...STUDY_TRAINING, batchSize: 8, learningRate: 0.001, epochs: 80 }, grid: { model: ['simple-conv', 'conv-bn', 'lenet5', 'resnet50'] } },
  },
];
