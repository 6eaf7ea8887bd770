// The project folder's layout: the name of every file and folder Maskbench keeps in a project, and the
// functions that build their paths. Nothing else in core or the CLI spells these names out.
//
//   project.json                  the settings
//   annotations.json, history/    the annotations, and earlier versions of them
//   annotations.journal.jsonl     edits since annotations.json was last written whole (large projects)
//   imports/                      copies of the files annotations were imported from
//   datasets/<name>/              manifest.json and the crops it lists
//   runs/<id>/                    config.json, metrics.jsonl, summary.json, meta.json, running.json,
//                                 confusion/, predictions/, model-best/ and model-last/; on a cluster
//                                 also slurm.json, slurm-job.sh and slurm-<job id>.log, and
//                                 slurm-commands.json for predictions and cross-fits there
//   slurm.json                    the project's Slurm profiles (the user's are in their data folder)
//   trash/runs/                   deleted runs
//   drafts/people.json            people a detector found, to correct and accept (see core/detect)
//   proxy/                        editing.mp4, the video re-encoded for seeking, and proxy.json, what it was made from
//   sample.json, annotations/, media/   a sample project's record, ground truth and clip

import { join } from 'node:path';
import { WorkbenchError } from '../../shared/errors';
import type { MediaSettings } from '../../shared/project';
import { MODEL_WEIGHTS_FILE } from '../../shared/compute';

export const PROJECT_FILE = 'project.json';
export const ANNOTATIONS_FILE = 'annotations.json';
const ANNOTATIONS_JOURNAL = 'annotations.journal.jsonl';
export const HISTORY_DIR = 'history';
const IMPORTS_DIR = 'imports';
const DATASETS_DIR = 'datasets';
const RUNS_DIR = 'runs';
const TRASH_DIR = 'trash';
const PROXY_DIR = 'proxy';
const DRAFTS_DIR = 'drafts';
/** Slurm profiles: a project's in its folder, the user's in their data folder, under the same name. */
export const SLURM_PROFILES_FILE = 'slurm.json';

/** Paths in a project folder; a dataset name or run id that could lead out of it is refused. */
export function projectPaths(folder: string) {
  const dataset = (name: string) => {
    if (!/^[\w.-]+$/.test(name) || name.startsWith('.')) throw new WorkbenchError('invalid-request', `"${name}" is not a dataset name`, { field: 'dataset' });
    return join(folder, DATASETS_DIR, name);
  };
  return {
    settings: join(folder, PROJECT_FILE),
    annotations: join(folder, ANNOTATIONS_FILE),
    /** The tracks each save changed, one line per save, until annotations.json is written whole again. */
    annotationsJournal: join(folder, ANNOTATIONS_JOURNAL),
    /** Earlier versions of annotations.json. */
    history: join(folder, HISTORY_DIR),
    imports: join(folder, IMPORTS_DIR),
    datasets: join(folder, DATASETS_DIR),
    /** A dataset's folder, named by the dataset. */
    dataset,
    datasetManifest: (name: string) => datasetPaths(dataset(name)).manifest,
    runs: join(folder, RUNS_DIR),
    /** A run's folder, named by its id. */
    run: (id: string) => {
      if (!isRunId(id)) throw new WorkbenchError('invalid-request', `"${id}" is not a run id`, { field: 'runId' });
      return join(folder, RUNS_DIR, id);
    },
    /** Deleted runs, kept inside the project so that a mistake can be undone by moving the folder back. */
    trashedRuns: join(folder, TRASH_DIR, RUNS_DIR),
    /** The people a detection job proposed, beside the annotations until the annotator accepts them. */
    peopleDraft: join(folder, DRAFTS_DIR, 'people.json'),
    proxy: join(folder, PROXY_DIR),
    /** The editing proxy: what the window plays in place of a video that seeks slowly (see media/editing-proxy). */
    proxyVideo: join(folder, PROXY_DIR, 'editing.mp4'),
    /** The original the proxy was made from (its size and time), so that a changed original is noticed. */
    proxyManifest: join(folder, PROXY_DIR, 'proxy.json'),
    slurmProfiles: join(folder, SLURM_PROFILES_FILE),
  };
}

/** Letters, digits, _ and -: a run id cannot lead out of runs/. */
export function isRunId(id: string): boolean {
  return /^[\w-]+$/.test(id);
}

/**
 * What an export must never overwrite, write into, or replace a folder holding (paths relative to the
 * project): every file and folder Maskbench keeps in a project, a sample project's own, and the media.
 */
export function protectedEntries(media: MediaSettings | null): string[] {
  const own = [
    PROJECT_FILE,
    ANNOTATIONS_FILE,
    ANNOTATIONS_JOURNAL,
    HISTORY_DIR,
    IMPORTS_DIR,
    DATASETS_DIR,
    RUNS_DIR,
    TRASH_DIR,
    PROXY_DIR,
    SLURM_PROFILES_FILE,
  ];
  return [...own, ...Object.values(samplePaths('')), ...(media ? [media.path] : [])];
}

/** Files in a dataset's folder (or in the hidden folder it is built in). */
export function datasetPaths(folder: string) {
  return { manifest: join(folder, 'manifest.json') };
}

/** Files in a run's folder. */
export function runPaths(folder: string) {
  return {
    /** Written first, so even a run that fails at once says what it was. */
    config: join(folder, 'config.json'),
    /** One line per batch and per epoch. */
    metrics: join(folder, 'metrics.jsonl'),
    /** Written when the run ends, whichever way. */
    summary: join(folder, 'summary.json'),
    /** The user's name and tags for the run. */
    meta: join(folder, 'meta.json'),
    /** There while the run trains; one left behind by a dead process marks a run that was cut off. */
    running: join(folder, 'running.json'),
    confusions: join(folder, 'confusion'),
    confusion: (split: 'val' | 'test', epoch: number) => join(folder, 'confusion', splitFile(split, epoch)),
    predictions: join(folder, 'predictions'),
    /** What the model said of each crop of a dataset's part. */
    splitPredictions: (split: 'val' | 'test', epoch: number) => join(folder, 'predictions', splitFile(split, epoch)),
    /** The run's own model over the project's boxes (in sample for boxes it trained on). */
    projectPredictions: join(folder, 'predictions', 'project.json'),
    /** Each box scored by a cross-fitted model that never saw it. */
    crossFitPredictions: join(folder, 'predictions', 'cross-fit.json'),
    /** The last cross-fit's folds: what each holds out, and the run that trains its model. */
    crossFitPlan: join(folder, 'predictions', 'cross-fit-plan.json'),
    /** A newer cross-fit's, until it has scored every fold and takes the last one's place. */
    pendingCrossFitPlan: join(folder, 'predictions', 'cross-fit-plan.pending.json'),
    /** Labels reviewers kept against the model. */
    kept: join(folder, 'predictions', 'kept.json'),
    /** The checkpoint with the best validation accuracy, and the weights after the last epoch. */
    model: (which: 'best' | 'last') => join(folder, `model-${which}`),
    /** The Slurm job that trains the run, when it runs on a cluster. */
    slurm: join(folder, 'slurm.json'),
    /** The batch script it was submitted with. */
    slurmScript: join(folder, 'slurm-job.sh'),
    /** What the job printed: sbatch's --output, with %j for the job id. */
    slurmLog: (jobId: string) => join(folder, `slurm-${jobId}.log`),
    /** Predictions and cross-fits over the run sent to the cluster and not yet seen to end. */
    slurmCommands: join(folder, 'slurm-commands.json'),
  };
}

/** confusion/ and predictions/ name their files alike: epoch-001.json for validation after epoch 1, test.json for the best checkpoint. */
function splitFile(split: 'val' | 'test', epoch: number): string {
  return split === 'test' ? 'test.json' : `epoch-${String(epoch).padStart(3, '0')}.json`;
}

/** Whether a file in confusion/ or predictions/ is one of a part's (rather than, say, project.json). */
export function isSplitFile(name: string): boolean {
  return /^(epoch-\d+|test)\.json$/.test(name);
}

/** Files in a saved model's folder (tfjs layers format). */
export function modelPaths(folder: string) {
  return { model: join(folder, 'model.json'), weights: join(folder, MODEL_WEIGHTS_FILE) };
}

/** The record that marks a sample project (maskbench sample), so only a sample is ever replaced by one. */
export const SAMPLE_FILE = 'sample.json';
/** The sample's clip, relative to its project as project.json names it. */
export const SAMPLE_VIDEO = 'media/walkway.mp4';

/** What only a sample project has: its record, its ground truth in every format, with label noise, and its clip as frames. */
export function samplePaths(folder: string) {
  return {
    record: join(folder, SAMPLE_FILE),
    groundTruth: join(folder, 'annotations'),
    noisyGroundTruth: join(folder, 'annotations', 'noisy'),
    labelNoise: join(folder, 'annotations', 'noisy', 'label-noise.json'),
    video: join(folder, SAMPLE_VIDEO),
    frames: join(folder, 'media', 'frames'),
  };
}
