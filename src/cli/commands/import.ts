import { WorkbenchError } from '../../shared/errors';
import { ANNOTATION_FORMATS, type AnnotationFormat } from '../../shared/annotations';
import { importIntoProject } from '../../core/project/import-into-project';
import type { CliCommand } from '../command';
import { printImportReport } from './annotation-report';

export const importCommand: CliCommand = {
  summary: 'import annotations (a Pascal VOC folder or a CVAT XML file) as a project’s own',
  usage: [
    'SOURCE               the VOC folder or CVAT XML file',
    '--project DIR        the project folder (a project.json is made if it has none)',
    '--format F           voc, cvat-video or cvat-images (default: detected)',
    '--media PATH         the project’s video or frame folder, inside DIR (for a new project)',
    '--link-threshold X   smallest IoU that links boxes without track ids into tracks (default 0.3)',
    '--force              replace annotations the project already has (kept in history/)',
  ],
  options: { project: { type: 'string' }, format: { type: 'string' }, media: { type: 'string' }, 'link-threshold': { type: 'string' }, force: { type: 'boolean' } },
  positionals: { min: 1, max: 1, names: 'SOURCE' },

  async run(args, { json, output }, [source]) {
    const report = await importIntoProject(requiredString(args.project, '--project'), source!, {
      ...(args.format !== undefined ? { format: formatOption(args.format) } : {}),
      ...(typeof args.media === 'string' ? { media: args.media } : {}),
      ...(args['link-threshold'] !== undefined ? { linkThreshold: Number(args['link-threshold']) } : {}),
      force: args.force === true,
    });
    if (json) output.out(JSON.stringify(report));
    else {
      output.out(`Imported into ${report.project}${report.createdProject ? ' (a new project.json was written)' : ''}`);
      printImportReport(report, output);
      output.out(`  the original is kept in ${report.original}`);
    }
    return 0;
  },
};

export function formatOption(value: string | boolean | undefined): AnnotationFormat {
  if (typeof value === 'string' && (ANNOTATION_FORMATS as readonly string[]).includes(value)) return value as AnnotationFormat;
  throw new WorkbenchError('invalid-request', `--format must be one of ${ANNOTATION_FORMATS.join(', ')}, got "${String(value)}"`, { field: 'format' });
}

export function requiredString(value: string | boolean | undefined, flag: string): string {
  if (typeof value === 'string' && value !== '') return value;
  throw new WorkbenchError('invalid-request', `${flag} is required`, { field: flag.slice(2) });
}
