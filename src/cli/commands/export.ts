import { WorkbenchError } from '../../shared/errors';
import { exportAnnotations } from '../../core/annotations/export-annotations';
import { resolve } from 'node:path';
import { AnnotationStore } from '../../core/project/annotation-store';
import { ANNOTATIONS_FILE, PROJECT_FILE, protectedEntries } from '../../core/project/layout';
import { readProjectSettings } from '../../core/project/project-settings';
import type { CliCommand } from '../command';
import { formatSchema } from './import';
import { projectFolder, required } from '../flags';
import { read } from '../../shared/schema';

export const exportCommand: CliCommand = {
  summary: 'write a project’s annotations as Pascal VOC, CVAT for video or CVAT for images',
  usage: [
    '--project DIR        the project folder',
    '--format F           voc, cvat-video or cvat-images',
    '--out PATH           a new folder (voc) or file (cvat-*)',
    '--force              replace what is at PATH',
  ],
  options: { project: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' } },

  async run(args, { json, output }) {
    const project = await projectFolder(args.project);
    const format = read(formatSchema, args.format, { field: 'format' });
    const out = required(args.out, 'out');
    const settings = await readProjectSettings(project);
    const store =
      settings &&
      (await AnnotationStore.load(
        project,
        settings.labels.map((label) => label.name),
      ));
    if (!settings || !store)
      throw new WorkbenchError('not-found', `${project} has no annotations to export (no ${PROJECT_FILE} or ${ANNOTATIONS_FILE}): import some first`, {
        file: project,
      });
    const report = await exportAnnotations(store.annotations, format, out, {
      name: settings.name,
      labels: settings.labels,
      force: args.force === true,
      project: { folder: resolve(project), protected: protectedEntries(settings.media) },
      ...(settings.media ? { source: settings.media.path.split('/').pop()! } : {}),
    });
    if (json) output.out(JSON.stringify(report));
    else {
      output.out(`Wrote ${report.boxes} boxes in ${report.tracks} tracks over ${report.frames} frames to ${report.out} (${report.format})`);
      for (const lost of report.notKept) output.out(`  not kept: ${lost}`);
    }
    return 0;
  },
};
