import { ANNOTATION_FORMATS } from '../../shared/annotations';
import { oneOf, read } from '../../shared/schema';
import { importIntoProject } from '../../core/project/import-into-project';
import { PROJECT_FILE } from '../../core/project/layout';
import type { CliCommand } from '../command';
import { printImportReport } from './annotation-report';
import { number, required } from '../flags';

export const importCommand: CliCommand = {
  summary: 'import annotations (a Pascal VOC folder or a CVAT XML file) as a project’s own',
  usage: [
    'SOURCE               the VOC folder or CVAT XML file',
    `--project DIR        an existing project folder (a ${PROJECT_FILE} is made if it has none; new makes a folder)`,
    '--format F           voc, cvat-video or cvat-images (default: detected)',
    '--media PATH         the project’s video or frame folder, for a new project (referenced where it is)',
    '--link-threshold X   smallest IoU that links boxes without track ids into tracks (default 0.3; given, it links photos too)',
    '--stills             the frames are separate photos, not a sequence: boxes are not linked (default: when the images differ in size)',
    '--force              replace annotations the project already has (kept in history/)',
  ],
  options: {
    project: { type: 'string' },
    format: { type: 'string' },
    media: { type: 'string' },
    'link-threshold': { type: 'string' },
    stills: { type: 'boolean' },
    force: { type: 'boolean' },
  },
  positionals: { min: 1, max: 1, names: 'SOURCE' },

  async run(args, { json, output }, [source]) {
    const linkThreshold = number(args['link-threshold'], 'linkThreshold');
    const report = await importIntoProject(required(args.project, 'project'), source!, {
      ...(args.format !== undefined ? { format: read(formatSchema, args.format, { field: 'format' }) } : {}),
      ...(typeof args.media === 'string' ? { media: args.media } : {}),
      ...(linkThreshold !== undefined ? { linkThreshold } : {}),
      ...(args.stills === true ? { stills: true } : {}),
      force: args.force === true,
    });
    if (json) output.out(JSON.stringify(report));
    else {
      output.out(`Imported into ${report.project}${report.createdProject ? ` (a new ${PROJECT_FILE} was written)` : ''}`);
      printImportReport(report, output);
      output.out(`  the original is kept in ${report.original}`);
    }
    return 0;
  },
};

export const formatSchema = oneOf(ANNOTATION_FORMATS);
