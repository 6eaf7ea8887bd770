import { listRuns } from '../../core/runs/run-folder';
import { withClusterState } from '../../core/cluster/slurm-runs';
import { describeClusterJob } from '../../shared/cluster';
import { describeBackend } from '../../shared/runs';
import type { CliCommand } from '../command';
import { projectFolder } from '../flags';

export const runsCommand: CliCommand = {
  summary: 'list a project’s training runs, newest first, with how each ended (and, on a Slurm cluster, how each fares)',
  usage: ['--project DIR        the project folder'],
  options: { project: { type: 'string' } },

  async run(args, { json, output }) {
    const runs = await withClusterState(await listRuns(await projectFolder(args.project)));
    if (json) {
      output.out(JSON.stringify(runs));
      return 0;
    }
    if (runs.length === 0) output.err('No runs yet: start one with maskbench train');
    for (const run of runs) {
      const { config, summary } = run;
      const figures = summary?.val ? `val ${summary.val.accuracy.toFixed(3)}${summary.test ? ` test ${summary.test.accuracy.toFixed(3)}` : ''}` : '';
      const why = summary?.error ? `: ${summary.error.message}` : run.cluster ? `  ${describeClusterJob(run.cluster)}` : '';
      output.out(
        `${run.id}  ${run.status.padEnd(13)} ${config.options.model.padEnd(11)} ${config.options.dataset}  ${run.epochs}/${config.options.epochs} epochs  ${describeBackend(config.backend)}  ${figures}${why}`,
      );
    }
    return 0;
  },
};
