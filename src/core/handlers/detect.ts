// Finding people from the window: the detection job (in a worker: it computes for minutes), and the
// draft it leaves beside the annotations.

import { rm } from 'node:fs/promises';
import { peopleDraftSchema } from '../../shared/detect';
import { read } from '../../shared/schema';
import { readJsonFile } from '../fs/json-file';
import { projectPaths } from '../project/layout';
import type { CoreContext, Handlers } from './context';

export function detectHandlers({ session, jobs, inWorker }: CoreContext): Handlers<'startDetection' | 'peopleDraft' | 'discardPeopleDraft'> {
  return {
    startDetection: async ({ options }) => {
      const project = session.requireProject().path;
      const checked = options.model === undefined ? options : { ...options, model: session.windowPath(options.model, 'options.model') };
      return jobs.start('detect', 'Finding people', (job) => inWorker('detect', { project, options: checked }, job));
    },
    peopleDraft: async () => {
      const file = projectPaths(session.requireProject().path).peopleDraft;
      const json = await readJsonFile(file);
      return json === null ? null : read(peopleDraftSchema, json, { file, code: 'invalid-project' });
    },
    discardPeopleDraft: async () => rm(projectPaths(session.requireProject().path).peopleDraft, { force: true }),
  };
}
