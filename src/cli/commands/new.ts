import { MEDIA_KEEPS } from '../../shared/project';
import { oneOf, read } from '../../shared/schema';
import { PROJECT_FILE } from '../../core/project/layout';
import { loadProjectFolder } from '../../core/project/project-folder';
import { createProject } from '../../core/project/project-media';
import type { CliCommand } from '../command';
import { required } from '../flags';

export const newCommand: CliCommand = {
  summary: 'make a project around a video or a folder of frames, with no annotations yet (as File › New Project)',
  usage: [
    `DIR                  the project folder: new, empty, or a folder with no ${PROJECT_FILE} yet`,
    '--media PATH         the video file or folder of .jpg or .png frames',
    '--keep K             reference (default: the media stays where it is, named by a relative path) or copy (into DIR)',
  ],
  options: { media: { type: 'string' }, keep: { type: 'string' } },
  positionals: { min: 1, max: 1, names: 'DIR' },

  async run(args, { json, output }, [folder]) {
    const keep = args.keep === undefined ? 'reference' : read(oneOf(MEDIA_KEEPS), args.keep, { field: 'keep' });
    await createProject(folder!, required(args.media, 'media'), keep);
    const project = await loadProjectFolder(folder!);
    const media = project.settings!.media!;
    if (json) output.out(JSON.stringify(project));
    else output.out(`Made ${project.path}: ${media.kind} ${media.path}, ${media.frameCount} frames at ${media.width}x${media.height}, ${media.fps} fps`);
    return 0;
  },
};
