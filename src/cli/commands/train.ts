import { resolve } from 'node:path';
import { describeBackend, TRAINING_DEFAULTS as t, trainingOptionsSchema, type EpochMetrics, type SplitMetrics } from '../../shared/runs';
import { read } from '../../shared/schema';
import { MODEL_NAMES } from '../../shared/training';
import { newRunId } from '../../core/runs/run-folder';
import { trainRun } from '../../core/training/train-run';
import { preflight } from '../../core/training/training-options';
import type { CliCommand } from '../command';
import { BACKEND_USAGE, flagOf, given, number, required } from '../flags';
import { progressPrinter } from '../progress';

/** The flag of each training option, where it is not the option's name in kebab case. */
const FLAGS = { batchSize: '--batch', learningRate: '--lr', classWeights: '--no-class-weights' };
const NUMBERS = ['epochs', 'batchSize', 'learningRate', 'momentum', 'stepEvery', 'stepFactor', 'patience', 'seed'] as const;
const CHOICES = ['dataset', 'model', 'optimizer', 'schedule', 'backend'] as const;

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
    '--patience N         stop after N epochs without a better validation accuracy (default: off)',
    '--no-class-weights   ignore the dataset’s class weights (balance weights)',
    '--allow-missing-classes  train even when a class has no crops in train (refused otherwise)',
    `--seed N             weights and shuffling (default ${t.seed})`,
    BACKEND_USAGE,
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
      'patience',
      'seed',
      'backend',
    ].map((name) => [name, { type: 'string' }]),
    ['no-class-weights', { type: 'boolean' }],
    ['allow-missing-classes', { type: 'boolean' }],
  ]) as CliCommand['options'],
  flags: FLAGS,

  async run(args, { json, output }) {
    const project = resolve(required(args.project, 'project'));
    const flag = (key: string) => flagOf(key, FLAGS).slice(2);
    const options = read(
      trainingOptionsSchema,
      given({
        ...Object.fromEntries(NUMBERS.map((key) => [key, number(args[flag(key)], key)])),
        ...Object.fromEntries(CHOICES.map((key) => [key, args[flag(key)]])),
        classWeights: args['no-class-weights'] === true ? false : undefined,
        allowMissingClasses: args['allow-missing-classes'] === true ? true : undefined,
      }),
    );
    await preflight(project, options);

    // Ctrl+C cancels within a batch; the run folder records that it was cancelled.
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    const printer = progressPrinter(output, json);
    const result = await trainRun(
      { project, runId: newRunId(options.model), options },
      { signal: controller.signal, ...printer, report: (report) => report.kind === 'epoch' && !json && output.err(epochLine(report)) },
    ).finally(() => process.off('SIGINT', stop));
    const { summary, config } = result;
    if (json) {
      output.out(
        JSON.stringify({
          runId: result.runId,
          path: result.path,
          status: summary.status,
          backend: config.backend,
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
