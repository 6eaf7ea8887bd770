// The Slurm cluster: the profiles a project can send runs with, and sending again a run the cluster ended
// (not a cross-fit's fold: its cross-fit is sent again whole).

import { WorkbenchError } from '../../shared/errors';
import { slurmUnavailable } from '../cluster/slurm-commands';
import { slurmProfile, slurmProfiles } from '../cluster/slurm-profiles';
import { withClusterState } from '../cluster/slurm-runs';
import { crossFitOfFold } from '../review/cross-fit';
import { resumePoint } from '../runs/checkpoint';
import { findRun } from '../runs/manage-runs';
import type { CoreContext, Handlers } from './context';

export function clusterHandlers({ session, dataDir, clusterRuns }: CoreContext): Handlers<'clusterInfo' | 'resubmitRun'> {
  return {
    clusterInfo: async () => {
      const project = session.requireProject();
      const [profiles, unavailable] = await Promise.all([slurmProfiles(project.path, dataDir), slurmUnavailable()]);
      return { profiles, unavailable };
    },

    resubmitRun: async ({ runId, profile: name }) => {
      const project = session.requireProject();
      // Settled first: a job the cluster ended while nobody watched has no summary yet.
      const [run] = await withClusterState([await findRun(project.path, runId)]);
      if (!run?.slurm)
        throw new WorkbenchError('invalid-request', `Run ${runId} did not run on a Slurm cluster: start it again from the Train view`, { field: 'runId' });
      if (run.status !== 'failed' && run.status !== 'cancelled')
        throw new WorkbenchError('invalid-request', `Run ${runId} is ${run.status}: only a run that failed or was cancelled is submitted again`, {
          field: 'runId',
        });
      // A fold alone would train to no end: its cross-fit's scoring was cancelled with it, and waits for no new run.
      const crossFit = await crossFitOfFold(project.path, run);
      if (crossFit) {
        const { runId: fitted, folds, by } = crossFit.plan;
        throw new WorkbenchError(
          'invalid-request',
          `Run ${runId} is fold ${crossFit.fold + 1} of ${folds} of run ${fitted}’s cross-fit, which is scored only when all its folds train together: ` +
            `cross-fit run ${fitted} again (Review view, or maskbench review --run ${fitted} --folds ${folds} --by ${by} --on slurm)`,
          { field: 'runId' },
        );
      }
      const profile = await slurmProfile(project.path, dataDir, name ?? run.slurm.profile);
      const { options, group } = run.config;
      // From its last epoch where it kept a checkpoint, from the start otherwise.
      const resumeFrom = (await resumePoint(project.path, runId, options)) ?? undefined;
      return clusterRuns.submit({ project: project.path, options, group, profile, resubmitOf: runId, ...(resumeFrom && { resumeFrom }) });
    },
  };
}
