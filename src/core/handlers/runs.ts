// Runs: listed, read back, named and tagged, their confusion cells opened, and moved to the trash.

import { confusionCell, readRunDetails, trashRun, updateRunMeta } from '../runs/manage-runs';
import { listRuns } from '../runs/run-folder';
import { withClusterState } from '../cluster/slurm-runs';
import type { CoreContext, Handlers } from './context';

export function runHandlers({ session, clusterRuns }: CoreContext): Handlers<'listRuns' | 'runDetails' | 'updateRun' | 'confusionCell' | 'deleteRun'> {
  const projectPath = () => session.requireProject().path;
  return {
    listRuns: async () => {
      if (!session.project) return [];
      const runs = await withClusterState(await listRuns(session.project.path));
      // Runs, predictions and cross-fits left on the cluster when the app last closed are followed again.
      await clusterRuns.followOpen(runs);
      return runs;
    },
    runDetails: async ({ runId }) => readRunDetails(projectPath(), runId),
    updateRun: async ({ runId, name, tags }) =>
      updateRunMeta(projectPath(), runId, {
        // A blank name clears it, as null does.
        ...(name !== undefined ? { name: name || null } : {}),
        ...(tags !== undefined ? { tags: [...new Set(tags)] } : {}),
      }),
    confusionCell: async ({ runId, split, epoch, truth, predicted }) => confusionCell(projectPath(), runId, split, epoch, truth, predicted),
    deleteRun: async ({ runId }) => ({ trashedTo: await trashRun(projectPath(), runId) }),
  };
}
