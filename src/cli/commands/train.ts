import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { WorkbenchError } from '../../shared/errors';
import {
  describeBackend,
  runGroupSchema,
  TRAINING_DEFAULTS as t,
  trainingOptionsSchema,
  type EpochMetrics,
  type RunConfig,
  type RunResult,
  type SplitMetrics,
  type TrainingOptions,
} from '../../shared/runs';
import { read } from '../../shared/schema';
import { MODEL_NAMES } from '../../shared/training';
import { slurmAllocation } from '../../core/cluster/slurm-allocation';
import { readJsonFile } from '../../core/fs/json-file';
import { projectPaths, runPaths } from '../../core/project/layout';
import { resumePoint, type ResumePoint } from '../../core/runs/checkpoint';
import { newRunId } from '../../core/runs/run-folder';
import { checkBackendHere, hostsPassedOverHere } from '../../core/training/backend-list';
import { trainRun } from '../../core/training/train-run';
import { preflight } from '../../core/training/training-options';
import { replicasHere } from '../built-files';
import type { CliCommand } from '../command';
import { BACKEND_USAGE, flagOf, given, number, required } from '../flags';
import { CANCELLED_EXIT, cancelOnCtrlC } from '../cancel';
import { progressPrinter } from '../progress';
import { TARGET_OPTIONS, TARGET_USAGE, runTarget, submitToSlurm } from '../slurm-target';

/** The flag of each training option, where it is not the option's name in kebab case. */
const FLAGS = { batchSize: '--batch', learningRate: '--lr', classWeights: '--no-class-weights', augmentFlip: '--no-augment-flip' };
const NUMBERS = ['epochs', 'batchSize', 'learningRate', 'momentum', 'stepEvery', 'stepFactor', 'augmentShift', 'augmentColour', 'patience', 'seed'] as const;
const CHOICES = ['dataset', 'model', 'optimizer', 'schedule', 'backend'] as const;
/** The flags that take no value. */
const SWITCHES = ['no-class-weights', 'no-augment-flip', 'allow-missing-classes'] as const;

export const trainCommand: CliCommand = {
  summary: 'train a classifier on one of a project’s datasets; the run is written to DIR/runs/<run id>',
  usage: [
    '--project DIR        the project folder',
    '--dataset ID         the dataset (DIR/datasets/ID)',
    `--model M            ${MODEL_NAMES.join(', ')} (default ${t.model})`,
    `--epochs N           (default ${t.epochs})`,
    `--batch N            batch size (default ${t.batchSize}; the study used 8)`,
    `--lr X               learning rate (default ${t.learningRate}; the study used 0.001)`,
    `--optimizer O        sgd (with momentum, default) or adam`,
    `--momentum X         for sgd (default ${t.momentum})`,
    '--schedule S         constant (default), step or cosine',
    `--step-every N       with step: every N epochs (default ${t.stepEvery})`,
    `--step-factor X      with step: multiply the rate by X (default ${t.stepFactor})`,
    `--augment-shift X    shift each crop by up to this fraction of its side, afresh every epoch (default ${t.augmentShift}; 0: off)`,
    `--augment-colour X   jitter each crop’s brightness, contrast and colours by up to this fraction (default ${t.augmentColour}; 0: off)`,
    '--no-augment-flip    do not mirror half the crops every epoch',
    '--patience N         stop after N epochs without a better validation accuracy (default: off)',
    '--no-class-weights   ignore the dataset’s class weights (balance weights)',
    '--allow-missing-classes  train even when a class has no crops in train (refused otherwise)',
    `--seed N             weights and shuffling (default ${t.seed})`,
    BACKEND_USAGE,
    ...TARGET_USAGE,
    '--group NAME         file the run under a group (a sweep’s, a cross-fit’s)',
    '--resume-from RUN    go on from RUN’s checkpoint (its last epoch) as a new run; same model and dataset, more epochs',
    '--run ID --options JSON  train the run a cluster job was submitted for (what Maskbench’s batch scripts run)',
  ],
  options: Object.fromEntries([
    ...[
      'project',
      'dataset',
      'model',
      'epochs',
      'batch',
      'lr',
      'momentum',
      'optimizer',
      'schedule',
      'step-every',
      'step-factor',
      'augment-shift',
      'augment-colour',
      'patience',
      'seed',
      'backend',
      'group',
      'resume-from',
      'run',
      'options',
    ].map((name) => [name, { type: 'string' }]),
    ...SWITCHES.map((name) => [name, { type: 'boolean' }]),
    ...Object.entries(TARGET_OPTIONS),
  ]) as CliCommand['options'],
  flags: FLAGS,

  async run(args, { json, output }) {
    const project = resolve(required(args.project, 'project'));
    // Usage first: --options that is not JSON is said before any run is looked for.
    const fromJson = args.options === undefined ? null : optionsFromJson(args);
    // --run trains the run as it was prepared: its options are the prepared ones, and a flag that says otherwise is refused.
    const prepared = typeof args.run === 'string' ? await preparedRun(project, args.run) : null;
    const options = fromJson ?? optionsFromFlags(args, prepared?.options);
    if (prepared) sameOptions(prepared, options, args);
    const target = runTarget(args);
    const group = typeof args.group === 'string' ? read(runGroupSchema, args.group, { field: 'group' }) : null;
    await preflight(project, options);
    const resumeFrom = typeof args['resume-from'] === 'string' ? await checkpoint(project, args['resume-from'], options) : undefined;
    if (target.on === 'slurm') {
      const submitted = await submitToSlurm({ project, options, group, resumeFrom }, target, output, json);
      if (json) output.out(JSON.stringify(submitted));
      return 0;
    }
    // Refused before the run folder is made: a backend that cannot train here leaves nothing behind.
    checkBackendHere(options.backend);
    if (prepared) await claim(project, prepared.id);
    const runId = prepared?.id ?? newRunId(options.model);
    const path = projectPaths(project).run(runId);
    const printer = progressPrinter(output, json);
    const allocation = slurmAllocation();
    // Ctrl+C cancels within a batch; the run folder records that it was cancelled, and the user is told where it is.
    let result: RunResult;
    try {
      result = await cancelOnCtrlC(
        (signal) =>
          trainRun(
            {
              project,
              runId,
              options,
              passedOver: hostsPassedOverHere(options.backend),
              ...(group && { group }),
              ...(resumeFrom && { resumeFrom }),
              ...(prepared && { createdAt: prepared.createdAt }),
              // In a Slurm job: what it was given, and as many threads as it was given cores.
              ...(allocation && { slurm: allocation, ...(allocation.cpus && { threads: allocation.cpus }) }),
            },
            { signal, ...printer, report: (report) => report.kind === 'epoch' && !json && output.err(epochLine(report)) },
            replicasHere(),
          ),
        () => `Run ${runId} was cancelled, and recorded as such in ${path}; --resume-from ${runId} goes on from its last finished epoch`,
        { file: path },
      );
    } catch (error) {
      if (!json || !(error instanceof WorkbenchError) || error.code !== 'cancelled') throw error;
      // For scripts, the run's id and folder as a finished run gives them, beside the error.
      output.out(JSON.stringify({ runId, path, status: 'cancelled', error: error.toData() }));
      return CANCELLED_EXIT;
    }
    const { summary, config } = result;
    if (json) {
      output.out(
        JSON.stringify({
          runId: result.runId,
          path: result.path,
          status: summary.status,
          backend: config.backend,
          // The lines `train` prints without --json: parts too thin to learn or judge a class from.
          warnings: config.dataset?.warnings ?? [],
          bestEpoch: summary.bestEpoch,
          epochs: summary.epochs,
          seconds: summary.seconds,
          train: summary.train,
          val: summary.val,
          test: summary.test,
        }),
      );
      return 0;
    }
    output.out(
      `Run ${result.runId} ${summary.status} after ${summary.epochs} epochs in ${summary.seconds} s on ${describeBackend(config.backend)}; best epoch ${summary.bestEpoch}`,
    );
    for (const [part, metrics] of [
      ['train', summary.train],
      ['val', summary.val],
      ['test', summary.test],
    ] as const)
      if (metrics) output.out(splitLines(part, metrics));
    output.out(`Written to ${result.path}`);
    return 0;
  },
};

/** The options the flags give, over `base` (a prepared run's) or the defaults. */
function optionsFromFlags(args: Record<string, string | boolean | undefined>, base: Partial<TrainingOptions> = {}): TrainingOptions {
  const flag = (key: string) => flagOf(key, FLAGS).slice(2);
  return read(trainingOptionsSchema, {
    ...base,
    ...given({
      ...Object.fromEntries(NUMBERS.map((key) => [key, number(args[flag(key)], key)])),
      ...Object.fromEntries(CHOICES.map((key) => [key, args[flag(key)]])),
      classWeights: args['no-class-weights'] === true ? false : undefined,
      augmentFlip: args['no-augment-flip'] === true ? false : undefined,
      allowMissingClasses: args['allow-missing-classes'] === true ? true : undefined,
    }),
  });
}

/** --options: every option at once, as a batch script pins them; it takes the place of the option flags. */
function optionsFromJson(args: Record<string, string | boolean | undefined>): TrainingOptions {
  const flag = (key: string) => flagOf(key, FLAGS).slice(2);
  const also = [...NUMBERS, ...CHOICES]
    .map(flag)
    .concat(SWITCHES)
    .find((name) => args[name] !== undefined);
  if (also) throw new WorkbenchError('invalid-request', `--options takes the place of the option flags: give --${also} inside it`);
  let json: unknown;
  try {
    json = JSON.parse(String(args.options));
  } catch (error) {
    throw new WorkbenchError('invalid-request', `--options must be JSON: ${(error as Error).message}`);
  }
  return read(trainingOptionsSchema, json, { field: 'options' });
}

/** The checkpoint --resume-from names; a run without one is said. */
async function checkpoint(project: string, runId: string, options: TrainingOptions): Promise<ResumePoint> {
  const point = await resumePoint(project, runId, options);
  if (!point)
    throw new WorkbenchError(
      'invalid-request',
      `Run ${runId} has no checkpoint to resume from: it ended before its first epoch, or before Maskbench kept one per epoch`,
      { field: 'resumeFrom' },
    );
  return point;
}

/** The run a cluster job trains: its folder was made when it was submitted, and keeps when that was. */
async function preparedRun(project: string, runId: string): Promise<RunConfig> {
  const files = runPaths(projectPaths(project).run(runId));
  const config = (await readJsonFile(files.config)) as RunConfig | null;
  if (!config) throw new WorkbenchError('run-not-found', `There is no run ${runId} to train: ${files.config} is missing`, { file: files.config, field: 'run' });
  // A run that ended keeps what it recorded: --run trains a submitted run once.
  if (existsSync(files.summary))
    throw new WorkbenchError('already-exists', `Run ${runId} has ended already: it is not trained again`, {
      file: files.summary,
      field: 'run',
    });
  // One that started and was cut off keeps its epochs too: training it again would overwrite them.
  for (const file of [files.running, files.metrics]) if (existsSync(file)) throw startedAlready(runId, file);
  return config;
}

/**
 * Takes the prepared run for this process: running.json is made only if no other process made it first,
 * so two jobs given the same run cannot both train it.
 */
async function claim(project: string, runId: string): Promise<void> {
  const file = runPaths(projectPaths(project).run(runId)).running;
  try {
    await writeFile(file, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw startedAlready(runId, file);
    throw error;
  }
}

function startedAlready(runId: string, file: string): WorkbenchError {
  return new WorkbenchError(
    'already-exists',
    `Run ${runId} has been started already: it is not trained again; --resume-from ${runId} trains a new run from its last finished epoch`,
    { file, field: 'run' },
  );
}

/** --run trains the options the run was prepared with: a flag (or a value in --options) that differs is refused, by name. */
function sameOptions(prepared: RunConfig, options: TrainingOptions, args: Record<string, string | boolean | undefined>): void {
  const keys = Object.keys({ ...prepared.options, ...options }) as Array<keyof TrainingOptions>;
  const differs = keys.find((key) => JSON.stringify(options[key]) !== JSON.stringify(prepared.options[key]));
  if (differs === undefined) return;
  // A quoted field is worded as its flag by the CLI.
  const named = args.options === undefined ? `"${differs}"` : `${differs} in --options`;
  throw new WorkbenchError(
    'invalid-request',
    `${named} differs from what run ${prepared.id} was prepared with (${JSON.stringify(options[differs])}, not ${JSON.stringify(prepared.options[differs])}): --run trains the run as it was prepared`,
    { field: differs },
  );
}

function epochLine(m: EpochMetrics): string {
  return `epoch ${m.epoch}: loss ${m.trainLoss.toFixed(4)} acc ${m.trainAccuracy.toFixed(3)} | val loss ${m.valLoss.toFixed(4)} acc ${m.valAccuracy.toFixed(3)} | ${m.imagesPerSecond} img/s`;
}

function splitLines(part: string, metrics: SplitMetrics): string {
  const { labels, matrix } = metrics.confusion;
  const rows = matrix.map((row, k) => `    true ${labels[k]!.padEnd(4)} ${row.map((count) => String(count).padStart(6)).join('')}`);
  return [
    `  ${part.padEnd(5)} accuracy ${metrics.accuracy.toFixed(3)}, loss ${metrics.loss.toFixed(4)}; predicted ${labels.map((label) => label.padStart(6)).join('')}`,
    ...rows,
  ].join('\n');
}
