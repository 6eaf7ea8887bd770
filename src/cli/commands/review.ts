import { resolve } from 'node:path';
import { crossFitHere } from '../../core/review/run-here';
import { reviewRun } from '../../core/review/review-run';
import { findRun } from '../../core/runs/manage-runs';
import type { CliCommand } from '../command';
import { backend, number, required } from '../flags';
import { read } from '../../shared/schema';
import { foldsSchema } from '../../shared/review';
import { progressPrinter } from '../progress';

export const reviewCommand: CliCommand = {
  summary: 'list the boxes whose label a run’s model most doubts, likeliest mistakes first',
  usage: [
    '--project DIR        the project folder',
    '--run ID             the run whose model and settings to use',
    '--folds K            first cross-fit: K models as the run, each trained without one stretch of the',
    '                     clip, score the boxes of that stretch (out of sample; takes K trainings)',
    '--top K              at most K entries (default 50)',
    '--backend B          with --folds, what the folds train on (default: the run’s own backend)',
    'Without --folds it uses the last cross-fit, or else maskbench predict’s predictions (in sample).',
    'Labels kept in the window’s review (predictions/kept.json in the run) are left out.',
  ],
  options: { project: { type: 'string' }, run: { type: 'string' }, top: { type: 'string' }, folds: { type: 'string' }, backend: { type: 'string' } },

  async run(args, { json, output }) {
    const project = resolve(required(args.project, 'project'));
    const run = await findRun(project, required(args.run, 'run'));
    if (args.folds !== undefined) {
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      const input = { project, runId: run.id, folds: read(foldsSchema, number(args.folds, 'folds'), { field: 'folds' }), backend: backend(args.backend) };
      await crossFitHere(input, { signal: controller.signal, ...progressPrinter(output, json) }).finally(() => process.off('SIGINT', stop));
    }
    // Labels kept in the window's review are already left out of the queue.
    const { outOfSample, complete, entries: queue, kept } = await reviewRun(project, run.id, number(args.top, 'top') ?? 50);
    const sample = outOfSample ? 'out of sample (cross-fitted)' : 'in sample: a model does not doubt labels it trained on; --folds gives better ones';
    if (json) {
      output.out(JSON.stringify({ runId: run.id, complete, outOfSample, queue }));
      return 0;
    }
    output.err(
      `Predictions ${sample}${complete ? '' : '; partial: the job stopped early'}${kept.length ? `; ${kept.length} labels kept in earlier reviews are left out` : ''}`,
    );
    for (const entry of queue)
      output.out(
        `frame ${String(entry.frame).padStart(6)}  track ${String(entry.trackId).padStart(4)}  ${entry.annotated} -> ${entry.suggested}  score ${entry.score.toFixed(3)} (model ${entry.doubt.toFixed(2)}, track ${entry.trackDisagreement.toFixed(2)})  box ${[entry.box.xtl, entry.box.ytl, entry.box.xbr, entry.box.ybr].map((v) => Math.round(v)).join(',')}`,
      );
    if (queue.length === 0) output.err('The model agrees with every label it saw');
    return 0;
  },
};
