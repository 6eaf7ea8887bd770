// `maskbench import` and the app's import: annotations from a file or folder become the project's own,
// the original is copied into imports/, and a project.json is made if the folder had none.

import { cp, mkdir, readFile, rename } from 'node:fs/promises';
import { stagingFor, sweepLeftoversIn } from '../fs/replace';
import { basename, join, resolve } from 'node:path';
import { WorkbenchError } from '../../shared/errors';
import type { ProjectImportReport } from '../../shared/annotations';
import { whereIn } from '../annotations/formats/xml-source';
import { importAnnotations, type ImportOptions } from '../annotations/import-annotations';
import { writeFileAtomic } from '../fs/atomic-write';
import { isFile } from '../fs/paths';
import { existingFolder } from './existing-folder';
import { probeFrames, probeMedia, type FolderFrames } from '../media/probe';
import { AnnotationStore } from './annotation-store';
import { annotationsFileText, parseAnnotations } from './annotations-file';
import { PROJECT_FILE, projectPaths } from './layout';
import { newSettings } from './project-media';
import { checkSettings, readProjectSettings } from './project-settings';

export interface ImportIntoProjectOptions extends Omit<ImportOptions, 'settings'> {
  /** The project's video or frame folder (inside the project), for a project that has no project.json yet. */
  media?: string;
  /** Replace annotations the project already has (they are kept in history/). */
  force?: boolean;
}

export async function importIntoProject(projectDir: string, source: string, options: ImportIntoProjectOptions): Promise<ProjectImportReport> {
  const folder = await existingFolder(projectDir, 'project');
  const paths = projectPaths(folder);
  // Annotations with no box yet (a new project's) are nothing to replace.
  if (!options.force && (await isFile(paths.annotations)) && parseAnnotations(await readFile(paths.annotations, 'utf8'), paths.annotations).tracks.length > 0) {
    throw new WorkbenchError('already-exists', `${folder} already has annotations: replace them with "force" (the current ones are kept in history/)`, {
      file: paths.annotations,
    });
  }
  const existing = await readProjectSettings(folder);
  const createdProject = existing === null;
  let settings = existing ?? newSettings(folder);
  let frames: FolderFrames | null;
  if (options.media) {
    if (existing?.media)
      throw new WorkbenchError('invalid-request', `${folder} already names its media in ${PROJECT_FILE}; "media" is for new projects`, { field: 'media' });
    const probed = await probeMedia(folder, resolve(options.media));
    frames = probed.frames;
    settings = { ...settings, media: probed.media };
  } else frames = await probeFrames(folder, settings.media);
  const { annotations, report } = await importAnnotations(source, {
    ...options,
    settings,
    ...(frames ? { frameNames: frames.frameNames, frameSizes: frames.frameSizes } : {}),
  });
  if (report.boxes === 0) {
    // Said where the first problem is, which is most likely why.
    const first = report.problems.find((problem) => problem.severity === 'error') ?? report.problems[0];
    throw new WorkbenchError(
      'invalid-annotations',
      `Nothing could be imported from ${report.source}${first ? `: ${first.message}` : ''}`,
      whereIn(first?.file ?? report.source, first?.line),
    );
  }
  const writesSettings = createdProject || Boolean(options.media);
  const settingsText = JSON.stringify(settings, null, 2) + '\n';
  // What is written must open: the checks that opening runs, run first on what would be written.
  if (writesSettings) opens(report.source, () => checkSettings(JSON.parse(settingsText), paths.settings, folder));
  opens(report.source, () => parseAnnotations(annotationsFileText(annotations), paths.annotations));

  const original = join(paths.imports, `${new Date().toISOString().replace(/[:.]/g, '-')}-${basename(report.source)}`);
  await mkdir(paths.imports, { recursive: true });
  // Copied whole or not at all: a crash mid-copy leaves only a hidden staging folder, swept by the next import.
  await sweepLeftoversIn(paths.imports);
  const staging = stagingFor(original);
  await cp(report.source, staging, { recursive: true, errorOnExist: true, force: false });
  await rename(staging, original);
  if (writesSettings) await writeFileAtomic(paths.settings, settingsText);
  await AnnotationStore.create(
    folder,
    annotations,
    settings.labels.map((label) => label.name),
  );
  // Frames are counted by file, so a gap in the numbering shifts time for everything after it: say where.
  const gaps = frames?.gaps ?? [];
  const gapWarnings = gaps.slice(0, 20).map((gap) => ({
    severity: 'warning' as const,
    message: `the frame files skip numbers: ${gap}; frames are counted by file, so the clip is shorter than the numbering suggests`,
    file: settings.media!.path,
  }));
  if (gaps.length > 20) gapWarnings.push({ severity: 'warning', message: `${gaps.length - 20} more gaps in the frame numbering`, file: settings.media!.path });
  return { ...report, problems: [...gapWarnings, ...report.problems], project: folder, original, createdProject };
}

/** Runs an opening check; its refusal is the import's, naming the source and the field at fault. */
function opens(source: string, check: () => unknown): void {
  try {
    check();
  } catch (error) {
    if (!(error instanceof WorkbenchError)) throw error;
    throw new WorkbenchError('invalid-annotations', `${source} cannot be imported: the project would not open: ${error.message}`, {
      file: source,
      field: error.where?.field ?? 'source',
    });
  }
}
