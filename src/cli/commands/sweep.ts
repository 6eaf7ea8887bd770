import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { buildDataset } from '../../core/dataset/build-dataset';
import { parseJsonFile } from '../../core/fs/json-file';
import { newRunId } from '../../core/runs/run-folder';
import { checkBackendHere, hostsPassedOverHere } from '../../core/training/backend-list';
import { checkSweepRuns, expandSweep, sweepDatasets } from '../../core/training/sweep';
import { trainRun } from '../../core/training/train-run';
import { WorkbenchError, toErrorData } from '../../shared/errors';
import { read } from '../../shared/schema';
import { STUDY_COMPARISONS, sweepRequestSchema, type SweepRequest } from '../../shared/sweeps';
import { replicasHere } from '../built-files';
import type { CliCommand } from '../command';
import { projectFolder } from '../flags';
import { progressPrinter } from '../progress';
import { TARGET_OPTIONS, TARGET_USAGE, runTarget, submitToSlurm } from '../slurm-target';

export const sweepCommand: CliCommand = {
  summary: 'build a sweep’s datasets and train one run per combination of its grid, here one after another or on a Slurm cluster',
  usage: [
    '--project DIR        the project folder',
    `--study ID           one of the study’s comparisons: ${STUDY_COMPARISONS.map((comparison) => comparison.id).join(', ')}`,
    '--file FILE          or a sweep of your own: {"name", "dataset", "training", "grid"} as the README shows',
    ...TARGET_USAGE,
  ],
  options: { project: { type: 'string' }, study: { type: 'string' }, file: { type: 'string' }, ...TARGET_OPTIONS },

  async run(args, { json, output }) {
    const project = await projectFolder(args.project);
    const sweep = await sweepOf(args);
    const target = runTarget(args);
    const runs = expandSweep(sweep);
    const printer = progressPrinter(output, json);
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    try {
      // A dry run writes nothing: its runs are checked against the datasets as they are.
      if (!target.dryRun) {
        for (const [name, options] of sweepDatasets(runs)) {
          printer.log(`Building the dataset ${name}`);
          await buildDataset(project, name, options, { signal: controller.signal, ...printer }, true);
        }
      }
      // A dry run's datasets may not be built yet: it prints every run's script, unchecked.
      const { ready, refused } = target.dryRun
        ? { ready: runs.map((run) => ({ options: run.options })), refused: [] }
        : await checkSweepRuns(project, runs, async (options) => (target.on === 'local' ? checkBackendHere(options.backend) : null));
      for (const { dataset, options, reason } of refused) output.err(`Not run: ${dataset}, ${options}: ${reason}`);
      const results: Array<Record<string, unknown>> = [];
      for (const { options } of ready) {
        if (target.on === 'slurm') {
          results.push(await submitToSlurm({ project, options, group: sweep.name }, target, output, json));
          continue;
        }
        const runId = newRunId(options.model);
        try {
          const { summary } = await trainRun(
            { project, runId, options, group: sweep.name, passedOver: hostsPassedOverHere(options.backend) },
            { signal: controller.signal, ...printer },
            replicasHere(),
          );
          output.err(`Run ${runId} ${summary.status}: val ${summary.val?.accuracy.toFixed(3) ?? '–'}, test ${summary.test?.accuracy.toFixed(3) ?? '–'}`);
          results.push({ runId, status: summary.status, val: summary.val?.accuracy ?? null, test: summary.test?.accuracy ?? null });
        } catch (error) {
          // One run that fails (a learning rate that diverges, say) is recorded as such; the sweep goes on.
          if (controller.signal.aborted) throw error;
          output.err(`Run ${runId} failed: ${(error as Error).message}`);
          results.push({ runId, status: 'failed', error: toErrorData(error) });
        }
      }
      if (json) output.out(JSON.stringify({ group: sweep.name, runs: results, refused }));
      else if (target.on === 'local') output.out(`Sweep ${sweep.name}: ${results.length} runs, compare them with maskbench runs --project ${project}`);
      return refused.length > 0 && results.length === 0 ? 1 : 0;
    } finally {
      process.off('SIGINT', stop);
    }
  },
};

async function sweepOf(args: Record<string, string | boolean | undefined>): Promise<SweepRequest> {
  if ((args.study === undefined) === (args.file === undefined)) throw new WorkbenchError('invalid-request', 'Give either --study or --file');
  if (typeof args.study === 'string') {
    const comparison = STUDY_COMPARISONS.find((candidate) => candidate.id === args.study);
    if (!comparison)
      throw new WorkbenchError(
        'invalid-request',
        `--study must be one of ${STUDY_COMPARISONS.map((candidate) => candidate.id).join(', ')}, got "${args.study}"`,
      );
    return comparison.sweep;
  }
  const file = resolve(String(args.file));
  const text = await readFile(file, 'utf8').catch((error: Error) => {
    throw new WorkbenchError('not-found', `Cannot read the sweep ${file}: ${error.message}`, { file });
  });
  return read(sweepRequestSchema, parseJsonFile(text, file), { file });
}
