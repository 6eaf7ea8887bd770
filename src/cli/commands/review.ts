import { lastCrossFit, scoreCrossFit } from '../../core/review/cross-fit';
import { crossFitHere, openHere } from '../../core/review/run-here';
import { reviewRun } from '../../core/review/review-run';
import { runPaths } from '../../core/project/layout';
import { findRun } from '../../core/runs/manage-runs';
import { replicasHere } from '../built-files';
import type { CliCommand } from '../command';
import { backend, number, projectFolder, required } from '../flags';
import { WorkbenchError } from '../../shared/errors';
import { read, v } from '../../shared/schema';
import { FOLD_BY, foldBySchema, foldsSchema, queueTopSchema } from '../../shared/review';
import { cancelOnCtrlC } from '../cancel';
import { progressPrinter } from '../progress';
import { TARGET_OPTIONS, TARGET_USAGE, crossFitToSlurm, runTarget } from '../slurm-target';

export const reviewCommand: CliCommand = {
  summary: 'list the stretches of tracks whose label a run’s model most doubts, likeliest mistakes first',
  usage: [
    '--project DIR        the project folder',
    '--run ID             the run whose model and settings to use',
    '--folds K            first cross-fit: K models as the run, each trained without some of the tracks',
    '                     (or stretches of the clip, see --by), score what they left out (out of sample;',
    '                     takes K trainings)',
    `--by B               with --folds, what each fold holds out: ${FOLD_BY.join(' or ')} (default time: stretches`,
    '                     of the clip, or of photos whole photos with no gap; track: some of the people, every',
    '                     box of them, which alone finds a person labelled wrong throughout)',
    '--top K              at most K entries (default 50); an entry is a stretch of one track, or a whole track',
    '--backend B          with --folds, what the folds train on (default: the run’s own backend); with',
    '                     --score-folds, what their models predict on',
    '--score-folds        score the last cross-fit, whose folds trained as runs of their own (as --on slurm',
    '                     has them do), each fold’s model predicting what it left out',
    'Without --folds it uses the last cross-fit, or else maskbench predict’s predictions (in sample).',
    'Labels kept in the window’s review (predictions/kept.json in the run) are left out.',
    'With --json, each entry lists its boxes (frame, box, the model’s doubt).',
    '--on T               local (default) or slurm: with --folds, submit each fold’s training to the Slurm cluster',
    '                     as a run of its own, and a job that scores them once all have trained, and return',
    ...TARGET_USAGE.slice(1),
  ],
  options: {
    project: { type: 'string' },
    run: { type: 'string' },
    top: { type: 'string' },
    folds: { type: 'string' },
    by: { type: 'string' },
    backend: { type: 'string' },
    'score-folds': { type: 'boolean' },
    ...TARGET_OPTIONS,
  },

  async run(args, { json, output }) {
    const project = await projectFolder(args.project);
    const target = runTarget(args);
    if (args['score-folds'] && args.folds !== undefined)
      throw new WorkbenchError('invalid-request', '--score-folds scores a cross-fit whose folds trained: leave out --folds');
    // Flags that only shape a cross-fit would otherwise be ignored, the queue read as if they had been taken.
    if (args.by !== undefined && args.folds === undefined) throw new WorkbenchError('invalid-request', '--by goes with --folds: what each fold holds out');
    if (args.backend !== undefined && args.folds === undefined && !args['score-folds'])
      throw new WorkbenchError('invalid-request', '--backend goes with --folds or --score-folds: what the folds’ models run on');
    const top = read(v.optional(queueTopSchema, 50), number(args.top, 'top'), { field: 'top' });
    const run = await findRun(project, required(args.run, 'run'));
    const crossFit = () => ({
      project,
      runId: run.id,
      folds: read(foldsSchema, number(args.folds, 'folds'), { field: 'folds' }),
      by: read(foldBySchema, args.by, { field: 'by' }),
      backend: backend(args.backend),
    });
    if (target.on === 'slurm') {
      if (args.folds === undefined) throw new WorkbenchError('invalid-request', '--on slurm sends a cross-fit to the cluster: give --folds');
      return crossFitToSlurm(crossFit(), target, output, json);
    }
    if (args.folds !== undefined || args['score-folds']) {
      const files = runPaths(run.path);
      // What a cancelled cross-fit keeps (see settle in cross-fit.ts): the last complete cross-fit, else what it scored.
      const hadCrossFit = (await lastCrossFit(run.path)) !== null;
      await cancelOnCtrlC(
        (signal) => {
          const context = { signal, ...progressPrinter(output, json) };
          return args['score-folds']
            ? scoreCrossFit(project, run.id, context, openHere(backend(args.backend)))
            : crossFitHere(crossFit(), context, replicasHere());
        },
        () =>
          hadCrossFit
            ? `The cross-fit of run ${run.id} was cancelled: its last cross-fit is kept as it was, in ${files.crossFitPredictions}`
            : `The cross-fit of run ${run.id} was cancelled: the folds scored until then are kept in ${files.crossFitPredictions}, marked partial`,
        { file: files.crossFitPredictions },
      );
    }
    // Labels kept in the window's review are already left out of the queue.
    const { outOfSample, foldBy, complete, judged, entries: queue, kept } = await reviewRun(project, run.id, top);
    const sample = outOfSample
      ? `out of sample (cross-fitted, folds by ${foldBy})`
      : 'in sample: the model trained on these labels, wrong ones too, and doubts them less the longer it trained; --folds scores each box by a model that never saw it';
    if (json) {
      output.out(JSON.stringify({ runId: run.id, complete, outOfSample, foldBy, queue }));
      return 0;
    }
    output.err(
      `Predictions ${sample}${complete ? '' : '; partial: the job stopped early'}${kept.length ? `; ${kept.length} labels kept in earlier reviews are left out` : ''}`,
    );
    if (queue.length > 0) output.out('track   frames            label  model  boxes  score  doubt  covers');
    for (const entry of queue)
      output.out(
        [
          String(entry.trackId).padStart(5),
          `${entry.from}-${entry.to}${entry.wholeTrack ? ' (all)' : ''}`.padEnd(18),
          entry.annotated.padEnd(6),
          entry.suggested.padEnd(6),
          String(entry.boxes.length).padStart(5),
          entry.score.toFixed(3).padStart(6),
          entry.doubt.toFixed(2).padStart(6),
          `${Math.round(entry.coverage * 100)}%`.padStart(7),
        ].join('  '),
      );
    if (judged === 0) output.err('The model judged no box: predict or cross-fit again');
    else if (queue.length === 0) output.err('The model agrees with every label it saw');
    return 0;
  },
};
