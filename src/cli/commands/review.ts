import { join, resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import { WorkbenchError } from '../../shared/errors';
import type { ProjectPredictions } from '../../shared/review';
import { CROSS_FIT_FILE, crossFit } from '../../core/review/cross-fit';
import { PREDICTIONS_FILE } from '../../core/review/predict-project';
import { reviewQueue } from '../../core/review/review-queue';
import { findRun } from '../../core/runs/manage-runs';
import type { CliCommand } from '../command';
import { number } from '../flags';
import { progressPrinter } from '../progress';
import { requiredString } from './import';

export const reviewCommand: CliCommand = {
  summary: 'list the boxes whose label a run’s model most doubts, likeliest mistakes first',
  usage: [
    '--project DIR        the project folder',
    '--run ID             the run whose model and settings to use',
    '--folds K            first cross-fit: K models as the run, each trained without one stretch of the',
    '                     clip, score the boxes of that stretch (out of sample; takes K trainings)',
    '--top K              at most K entries (default 50)',
    'Without --folds it uses the last cross-fit, or else maskbench predict’s predictions (in sample).',
  ],
  options: { project: { type: 'string' }, run: { type: 'string' }, top: { type: 'string' }, folds: { type: 'string' } },

  async run(args, { json, output }) {
    const project = resolve(requiredString(args.project, '--project'));
    const run = await findRun(project, requiredString(args.run, '--run'));
    let predictions: ProjectPredictions;
    let outOfSample = true;
    if (args.folds !== undefined) {
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      predictions = await crossFit({ project, runId: run.id, folds: number(args.folds, 3, 'folds') }, { signal: controller.signal, ...progressPrinter(output, json) }).finally(() => process.off('SIGINT', stop));
    } else {
      const read = (file: string) => readFile(join(run.path, file), 'utf8').then((text) => JSON.parse(text) as ProjectPredictions, () => null);
      const crossFitted = await read(CROSS_FIT_FILE);
      const found = crossFitted ?? (await read(PREDICTIONS_FILE));
      if (!found) throw new WorkbenchError('not-found', `Run ${run.id} has no predictions on the project yet: run maskbench review --folds 3 (or maskbench predict) first`, { field: 'run' });
      predictions = found;
      outOfSample = crossFitted !== null;
    }
    const sample = outOfSample ? 'out of sample (cross-fitted)' : 'in sample: a model does not doubt labels it trained on; --folds gives better ones';
    const queue = reviewQueue(predictions, run.config.dataset!.options, { top: number(args.top, 50, 'top') });
    if (json) {
      output.out(JSON.stringify({ runId: run.id, complete: predictions.complete, outOfSample, queue }));
      return 0;
    }
    output.err(`Predictions ${sample}${predictions.complete ? '' : '; partial: the job stopped early'}`);
    for (const entry of queue) output.out(`frame ${String(entry.frame).padStart(6)}  track ${String(entry.trackId).padStart(4)}  ${entry.annotated} -> ${entry.suggested}  score ${entry.score.toFixed(3)} (model ${entry.doubt.toFixed(2)}, track ${entry.trackDisagreement.toFixed(2)})  box ${[entry.box.xtl, entry.box.ytl, entry.box.xbr, entry.box.ybr].map((v) => Math.round(v)).join(',')}`);
    if (queue.length === 0) output.err('The model agrees with every label it saw');
    return 0;
  },
};
