import { importAnnotations } from '../../core/annotations/import-annotations';
import { probeFrames } from '../../core/media/probe';
import { readProjectSettings } from '../../core/project/project-settings';
import type { CliCommand } from '../command';
import { printImportReport } from './annotation-report';
import { projectFolder } from '../flags';
import { formatSchema } from './import';
import { read } from '../../shared/schema';

export const validateCommand: CliCommand = {
  summary: 'check annotations without importing them: counts and every problem, by file and line',
  usage: [
    'PATH                 a Pascal VOC folder or a CVAT XML file',
    '--format F           as for import',
    '--project DIR        check against this project’s video and labels',
  ],
  options: { format: { type: 'string' }, project: { type: 'string' } },
  positionals: { min: 1, max: 1, names: 'PATH' },

  async run(args, { json, output }, [path]) {
    const project = args.project === undefined ? null : await projectFolder(args.project);
    const settings = project ? await readProjectSettings(project) : null;
    // Checked as an import would check them: against the project's images as they are, each at its own size.
    const frames = settings && project ? await probeFrames(project, settings.media) : null;
    const { report } = await importAnnotations(path!, {
      settings,
      ...(frames ? { frameNames: frames.frameNames, frameSizes: frames.frameSizes } : {}),
      ...(args.format !== undefined ? { format: read(formatSchema, args.format, { field: 'format' }) } : {}),
    });
    if (json) output.out(JSON.stringify(report));
    else printImportReport(report, output);
    // Errors mean something would be skipped on import: scripts should see that.
    return report.problems.some((problem) => problem.severity === 'error') ? 1 : 0;
  },
};
