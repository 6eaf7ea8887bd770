import { join, resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import { WorkbenchError } from '../../shared/errors';
import type { ProjectPredictions } from '../../shared/review';
import { PREDICTIONS_FILE } from '../../core/review/predict-project';
import { reviewQueue } from '../../core/review/review-queue';
import { findRun } from '../../core/runs/manage-runs';
import type { CliCommand } from '../command';
import { number } from '../flags';
import { requiredString } from './import';

export const reviewCommand: CliCommand = {
  summary: 'list the boxes whose label a run’s model most doubts, likeliest mistakes first (after maskbench predict)',
  usage: ['--project DIR        the project folder', '--run ID             the run whose predictions to use', '--top K              at most K entries (default 50)'],
  options: { project: { type: 'string' }, run: { type: 'string' }, top: { type: 'string' } },

  async run(args, { json, output }) {
    const project = resolve(requiredString(args.project, '--project'));
    const run = await findRun(project, requiredString(args.run, '--run'));
    const file = join(run.path, PREDICTIONS_FILE);
    const predictions = await readFile(file, 'utf8').then(
      (text) => JSON.parse(text) as ProjectPredictions,
      () => {
        throw new WorkbenchError('not-found', `Run ${run.id} has no predictions on the project yet (no ${file}): run maskbench predict first`, { file });
      },
    );
    const queue = reviewQueue(predictions, run.config.dataset!.options, number(args.top, 50, 'top'));
    if (json) {
      output.out(JSON.stringify({ runId: run.id, complete: predictions.complete, queue }));
      return 0;
    }
    if (!predictions.complete) output.err(`warning: the predictions cover frames ${predictions.from}-${predictions.to} only partly (the job stopped early)`);
    for (const entry of queue) output.out(`frame ${String(entry.frame).padStart(6)}  track ${String(entry.trackId).padStart(4)}  ${entry.annotated} -> ${entry.suggested}  score ${entry.score.toFixed(3)}  box ${[entry.box.xtl, entry.box.ytl, entry.box.xbr, entry.box.ybr].map((v) => Math.round(v)).join(',')}`);
    if (queue.length === 0) output.err('The model agrees with every label it saw');
    return 0;
  },
};
