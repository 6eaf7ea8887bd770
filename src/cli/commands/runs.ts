import { listRuns } from '../../core/runs/run-folder';
import { withClusterState } from '../../core/cluster/slurm-runs';
import { describeClusterJob } from '../../shared/cluster';
import { describeBackend } from '../../shared/runs';
import { settingsDiff } from '../../shared/run-settings';
import type { CliCommand } from '../command';
import { projectFolder } from '../flags';

export const runsCommand: CliCommand = {
  summary: 'list a project’s training runs, newest first, with how each ended, the settings in which they differ (and, on a Slurm cluster, how each fares)',
  usage: ['--project DIR        the project folder'],
  options: { project: { type: 'string' } },

  async run(args, { json, output }) {
    const runs = await withClusterState(await listRuns(await projectFolder(args.project)));
    if (json) {
      output.out(JSON.stringify(runs));
      return 0;
    }
    if (runs.length === 0) output.err('No runs yet: start one with maskbench train');
    // What else tells the runs apart (a sweep's seeds, rates, augmentation), beyond what each line shows.
    const differences = settingsDiff(runs).filter((row) => !SHOWN_IN_LINE.has(row.setting));
    for (const [index, run] of runs.entries()) {
      const { config, summary } = run;
      const figures = summary?.val ? `val ${summary.val.accuracy.toFixed(3)}${summary.test ? ` test ${summary.test.accuracy.toFixed(3)}` : ''}` : '';
      const why = summary?.error ? `: ${summary.error.message}` : run.cluster ? `  ${describeClusterJob(run.cluster)}` : '';
      const settings = differences.length > 0 ? `  [${differences.map((row) => `${row.name} ${row.values[index]}`).join(', ')}]` : '';
      output.out(
        `${run.id}  ${run.status.padEnd(13)} ${config.options.model.padEnd(11)} ${config.options.dataset}  ${run.epochs}/${config.options.epochs} epochs  ${describeBackend(config.backend)}${settings}  ${figures}${why}`,
      );
    }
    return 0;
  },
};

/** Settings each line names already. */
const SHOWN_IN_LINE = new Set(['model', 'dataset', 'epochs', 'backend used']);
