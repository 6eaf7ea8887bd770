// The open project's annotations: edits with undo, imports (a job) and exports.

import { basename } from 'node:path';
import type { JobInfo } from '../../shared/jobs';
import { DEFAULT_LABELS } from '../../shared/project';
import type { AnnotationFormat, ExportReport } from '../../shared/annotations';
import { exportAnnotations } from '../annotations/export-annotations';
import { protectedEntries } from '../project/layout';
import type { ImportIntoProjectOptions } from '../project/import-into-project';
import type { CoreContext, Handlers } from './context';

export function annotationHandlers(
  context: CoreContext,
): Handlers<'annotations' | 'editAnnotations' | 'undoEdit' | 'redoEdit' | 'importAnnotations' | 'exportAnnotations'> {
  const { session } = context;
  return {
    annotations: async () => session.store?.packed() ?? null,
    editAnnotations: async ({ edit }) => session.requireStore().apply(edit),
    undoEdit: async () => session.requireStore().undo(),
    redoEdit: async () => session.requireStore().redo(),

    importAnnotations: async ({ source, format, linkThreshold, stills, replace }) => {
      return importInto(context, session.windowPath(source, 'source'), {
        ...(format ? { format } : {}),
        ...(linkThreshold !== undefined ? { linkThreshold } : {}),
        ...(stills !== undefined ? { stills } : {}),
        force: replace,
      });
    },

    exportAnnotations: async ({ format, out, force }) => {
      return exportTo(context, format, session.windowPath(out, 'out'), force);
    },
  };
}

/** Imports into the open project as a job; the worker writes annotations.json while nothing else may. */
export async function importInto({ session, jobs, inWorker }: CoreContext, source: string, options: ImportIntoProjectOptions): Promise<JobInfo> {
  const { project, end } = await session.beginReplace();
  return jobs.start('import', `Importing ${basename(source)}`, async (context) => {
    try {
      return await inWorker('import', { project: project.path, source, options }, context);
    } finally {
      await end();
    }
  });
}

export async function exportTo({ session }: CoreContext, format: AnnotationFormat, out: string, force: boolean): Promise<ExportReport> {
  const project = session.requireProject();
  const settings = project.settings;
  const media = settings?.media?.path.split('/').pop();
  return exportAnnotations(session.requireStore().annotations, format, out, {
    name: project.name,
    labels: settings?.labels ?? [...DEFAULT_LABELS],
    force,
    project: { folder: project.path, protected: protectedEntries(settings?.media ?? null) },
    ...(media ? { source: media } : {}),
  });
}
