// Runs: listed, read back, named and tagged, their confusion cells opened, and moved to the trash.

import { confusionCell, readRunDetails, trashRun, updateRunMeta } from '../runs/manage-runs';
import { listRuns } from '../runs/run-folder';
import type { CoreContext, Handlers } from './context';

export function runHandlers({ session }: CoreContext): Handlers<'listRuns' | 'runDetails' | 'updateRun' | 'confusionCell' | 'deleteRun'> {
  const projectPath = () => session.requireProject().path;
  return {
    listRuns: async () => (session.project ? listRuns(session.project.path) : []),
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
