// Crop datasets: counted as the settings change, built as jobs, listed with example crops.

import { checkAgainstClip } from '../dataset/dataset-options';
import { listDatasets } from '../dataset/list-datasets';
import { planDataset } from '../dataset/plan-dataset';
import type { CoreContext, Handlers } from './context';

export function datasetHandlers({ session, jobs, inWorker }: CoreContext): Handlers<'planDataset' | 'buildDataset' | 'listDatasets'> {
  return {
    planDataset: async ({ options }) => {
      const annotations = session.requireStore().annotations;
      checkAgainstClip(options, annotations);
      const { labels, counts, warnings } = planDataset(annotations, options);
      return { labels, counts, warnings };
    },

    buildDataset: async ({ name, options, force }) => {
      const project = session.requireProject();
      checkAgainstClip(options, session.requireStore().annotations);
      // The worker reads annotations.json: it must hold every edit made so far.
      await session.flushEdits();
      return jobs.start('dataset', `Building the dataset ${name}`, (context) => inWorker('dataset', { project: project.path, name, options, force }, context));
    },

    listDatasets: async () => (session.project ? listDatasets(session.project.path) : []),
  };
}
