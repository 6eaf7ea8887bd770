import { existsSync } from 'node:fs';
import { predictArgs } from '../../core/cluster/batch-script';
import { predictProject } from '../../core/review/predict-project';
import { openHere } from '../../core/review/run-here';
import { projectPaths, runPaths } from '../../core/project/layout';
import { findRun } from '../../core/runs/manage-runs';
import type { CliCommand } from '../command';
import { BACKEND_USAGE, backend, given, number, projectFolder, required } from '../flags';
import { cancelOnCtrlC } from '../cancel';
import { progressPrinter } from '../progress';
import { TARGET_OPTIONS, TARGET_USAGE, runTarget, predictionToSlurm } from '../slurm-target';

export const predictCommand: CliCommand = {
  summary: 'run a training run’s best model over the project’s boxes; written to the run’s predictions/project.json',
  usage: [
    '--project DIR        the project folder',
    '--run ID             the run (see maskbench runs)',
    '--from N --to N      a range of frames (default: all)',
    BACKEND_USAGE,
    '                     (webgpu and webgl run in the app or maskbench serve, not here)',
    ...TARGET_USAGE,
  ],
  options: {
    project: { type: 'string' },
    run: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    backend: { type: 'string' },
    ...TARGET_OPTIONS,
  },

  async run(args, { json, output }) {
    const target = runTarget(args);
    if (target.on === 'slurm') {
      const project = await projectFolder(args.project);
      const run = await findRun(project, required(args.run, 'run'));
      const command = predictArgs({ project, runId: run.id, from: number(args.from, 'from'), to: number(args.to, 'to'), backend: backend(args.backend) });
      return predictionToSlurm(project, run.id, command, target, output, json);
    }
    const project = await projectFolder(args.project);
    const runId = required(args.run, 'run');
    const chosen = backend(args.backend);
    const file = runPaths(projectPaths(project).run(runId)).projectPredictions;
    // What a cancelled job keeps: see mergePredictions.
    const hadEarlier = existsSync(file);
    const result = await cancelOnCtrlC(
      (signal) =>
        predictProject(
          { project, runId, ...given({ from: number(args.from, 'from'), to: number(args.to, 'to') }) },
          { signal, ...progressPrinter(output, json) },
          openHere(chosen),
        ),
      () =>
        hadEarlier
          ? `Predictions with run ${runId} were cancelled: the boxes predicted until then are kept in ${file} in place of their earlier predictions, and the other boxes keep theirs`
          : `Predictions with run ${runId} were cancelled: the boxes predicted until then are kept in ${file}, marked partial`,
      { file },
    );
    const disagreements = result.boxes.filter((box) => box.predicted !== box.label).length;
    if (json)
      output.out(
        JSON.stringify({
          runId: result.runId,
          backend: result.backend,
          from: result.from,
          to: result.to,
          complete: result.complete,
          boxes: result.boxes.length,
          disagreements,
        }),
      );
    else
      output.out(
        `Predicted ${result.boxes.length} boxes of frames ${result.from}-${result.to} with run ${result.runId} on ${result.backend}; the model disagrees with ${disagreements} labels`,
      );
    return 0;
  },
};
