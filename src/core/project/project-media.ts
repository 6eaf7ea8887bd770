// A project's video or folder of frames: a new project made around it, or the media of an existing one
// set or relinked. The media is copied into the project folder or referenced where it is; either way
// project.json names it by a path relative to the folder, so a folder moved with its media still opens.

import { cp, mkdir, readdir, rename } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ANNOTATIONS_SCHEMA, type ProjectAnnotations } from '../../shared/annotations';
import { WorkbenchError } from '../../shared/errors';
import { DEFAULT_LABEL_MAPPING, DEFAULT_LABELS, PROJECT_SCHEMA, type MediaKeep, type MediaSettings, type ProjectSettings } from '../../shared/project';
import { videoFrameName } from '../annotations/import-annotations';
import { writeFileAtomic } from '../fs/atomic-write';
import { isDirectory, isWithin } from '../fs/paths';
import { stagingFor } from '../fs/replace';
import { probeMedia, type ProbedMedia } from '../media/probe';
import { AnnotationStore } from './annotation-store';
import { PROJECT_FILE, projectPaths } from './layout';
import { checkSettings, readProjectSettings } from './project-settings';

/**
 * Makes `folder` a project around `media` (a video file or a folder of frames), with the default labels
 * and no annotations yet. The folder may be new or empty, or an existing folder that is not a project.
 */
export async function createProject(folder: string, media: string, keep: MediaKeep): Promise<void> {
  const target = resolve(folder);
  if (await readProjectSettings(target).catch(() => true)) {
    throw new WorkbenchError('already-exists', `${target} is a project already (it has a ${PROJECT_FILE}): open it instead`, {
      file: projectPaths(target).settings,
      field: 'folder',
    });
  }
  // Probed before the folder is made: bad media leaves nothing behind.
  const probed = await probeMedia(target, resolve(media));
  await mkdir(target, { recursive: true });
  const settings = { ...newSettings(target), media: await linkMedia(target, media, keep, probed.media) };
  await writeSettings(target, settings);
  // Empty annotations, so the annotator can draw from the first frame on (or import over them).
  await AnnotationStore.create(
    target,
    emptyAnnotations(probed),
    settings.labels.map((label) => label.name),
  );
}

function emptyAnnotations({ media, frames }: ProbedMedia): ProjectAnnotations {
  const sizes = frames?.frameSizes ?? [];
  // Photos of different sizes are a collection, not a clip: each keeps its own size, as an import would.
  const photos = sizes.some((size) => size.width !== sizes[0]!.width || size.height !== sizes[0]!.height);
  return {
    schema: ANNOTATIONS_SCHEMA,
    width: media.width,
    height: media.height,
    frameCount: media.frameCount,
    // A video's frames are named as an import names them, for exports to image formats.
    frameNames: frames?.frameNames ?? Array.from({ length: media.frameCount }, (_, frame) => videoFrameName(frame)),
    ...(photos ? { frameSizes: sizes, stills: true } : {}),
    tracks: [],
  };
}

/**
 * Sets or relinks the media of the project in `folder`. When the project has `annotations`, the media
 * must be what they were made on: as many frames, of the same size, and for a folder of frames the same
 * files, since boxes are kept by frame and in pixels.
 */
export async function setProjectMedia(folder: string, media: string, keep: MediaKeep, annotations: ProjectAnnotations | null): Promise<void> {
  const settings = (await readProjectSettings(folder)) ?? newSettings(folder);
  const source = resolve(media);
  const probed = await probeMedia(folder, source);
  if (annotations) checkMatches(source, probed, annotations);
  await writeSettings(folder, { ...settings, media: await linkMedia(folder, source, keep, probed.media) });
}

function checkMatches(source: string, { media, frames }: ProbedMedia, annotations: ProjectAnnotations): void {
  const refuse = (what: string): never => {
    throw new WorkbenchError('invalid-request', `${source} ${what}: choose the media the annotations were made on`, { file: source, field: 'media' });
  };
  if (media.frameCount !== annotations.frameCount) refuse(`has ${media.frameCount} frames, but the project's annotations have ${annotations.frameCount}`);
  if (media.width !== annotations.width || media.height !== annotations.height)
    refuse(`is ${media.width}x${media.height}, but the project's annotations are on ${annotations.width}x${annotations.height} frames`);
  const differs = frames?.frameNames.findIndex((name, frame) => name !== annotations.frameNames[frame]) ?? -1;
  if (differs >= 0) refuse(`holds ${frames!.frameNames[differs]} as frame ${differs}, where the annotations have ${annotations.frameNames[differs]}`);
}

/** The media settings for `media` in the project `folder`, as probed where it is; copied in when asked. */
async function linkMedia(folder: string, media: string, keep: MediaKeep, settings: MediaSettings): Promise<MediaSettings> {
  const source = resolve(media);
  // Media already in the folder is the project's own: nothing to copy.
  if (keep === 'reference' || isWithin(folder, source)) return settings;
  const copy = join(folder, basename(source));
  if ((await readdir(folder)).includes(basename(source))) {
    throw new WorkbenchError('already-exists', `${copy} exists already: reference the media instead, or move that file away`, { file: copy, field: 'media' });
  }
  // Copied whole or not at all: a copy cut short leaves a hidden staging entry, never a half video.
  const staging = stagingFor(copy);
  await cp(source, staging, { recursive: await isDirectory(source), errorOnExist: true, force: false });
  await rename(staging, copy);
  return { ...settings, path: basename(source) };
}

/** Writes project.json after the checks that opening runs, so what is written opens. */
async function writeSettings(folder: string, settings: ProjectSettings): Promise<void> {
  const file = projectPaths(folder).settings;
  checkSettings(settings, file, folder);
  await writeFileAtomic(file, JSON.stringify(settings, null, 2) + '\n');
}

export function newSettings(folder: string): ProjectSettings {
  return {
    schema: PROJECT_SCHEMA,
    name: basename(folder),
    media: null,
    labels: DEFAULT_LABELS.map((label) => ({ ...label })),
    labelMapping: { ...DEFAULT_LABEL_MAPPING },
  };
}

/** Whether the project's media is a collection of photos (imported as stills), which a dataset takes whole. */
export async function isPhotoCollection(projectDir: string): Promise<boolean> {
  const settings = await readProjectSettings(projectDir);
  if (settings?.media?.kind !== 'frames') return false;
  const store = await AnnotationStore.load(
    projectDir,
    settings.labels.map((label) => label.name),
  );
  return store?.annotations.stills === true;
}
