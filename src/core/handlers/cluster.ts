// The Slurm cluster: the profiles a project can send runs with, and sending again a run the cluster ended.

import { WorkbenchError } from '../../shared/errors';
import { slurmUnavailable } from '../cluster/slurm-commands';
import { slurmProfile, slurmProfiles } from '../cluster/slurm-profiles';
import { withClusterState } from '../cluster/slurm-runs';
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
      const profile = await slurmProfile(project.path, dataDir, name ?? run.slurm.profile);
      const { options, group } = run.config;
      // From its last epoch where it kept a checkpoint, from the start otherwise.
      const resumeFrom = (await resumePoint(project.path, runId, options)) ?? undefined;
      return clusterRuns.submit({ project: project.path, options, group, profile, resubmitOf: runId, ...(resumeFrom && { resumeFrom }) });
    },
  };
}
