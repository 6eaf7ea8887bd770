// Writes the project's annotations in a file format, saying what the format cannot hold. Nothing that
// exists is overwritten unless asked; the output appears whole or not at all.

import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { AnnotationFormat, AnnotationSet, ExportReport, ProjectAnnotations } from '../../shared/annotations';
import { WorkbenchError } from '../../shared/errors';
import type { LabelDef } from '../../shared/project';
import { writeCvatImages } from './formats/cvat-images';
import { writeCvatVideo } from './formats/cvat-video';
import { boxesByFrame } from './formats/frame-boxes';
import { vocFileName, writeVocFrame } from './formats/pascal-voc';
import { materialize } from '../../shared/keyframes';
import { isWithin } from '../fs/paths';
import { replaceWith } from '../fs/replace';

export interface ExportOptions {
  name: string;
  labels: LabelDef[];
  /** Replace what is at `out` (never the project itself or anything it is made of). */
  force?: boolean;
  /** The media file name, for CVAT for video's <source>. */
  source?: string;
  /** The project folder and the paths in it that the export must never replace. */
  project?: { folder: string; protected: string[] };
}

export async function exportAnnotations(annotations: ProjectAnnotations, format: AnnotationFormat, out: string, options: ExportOptions): Promise<ExportReport> {
  const path = resolve(out);
  if (options.project) checkNotProject(path, options.project);
  await checkOut(path, options.force === true);
  const inSet = new Set(options.labels.map((label) => label.name));
  const used = new Set(annotations.tracks.flatMap((track) => track.shapes.map((shape) => shape.label)));
  const labels = [...options.labels.map((label) => label.name), ...[...used].filter((label) => !inSet.has(label)).sort()];
  const set = materialize(annotations, labels);
  const task = { name: options.name, colors: Object.fromEntries(options.labels.map((label) => [label.name, label.color])) };

  const staging = join(dirname(path), `.${basename(path)}.partial-${randomBytes(4).toString('hex')}`);
  try {
    if (format === 'voc') {
      await mkdir(staging);
      const frames = boxesByFrame(set);
      for (let frame = 0; frame < set.frameCount; frame++) {
        await writeFile(join(staging, vocFileName(set.frameNames[frame]!)), writeVocFrame(set, frame, frames[frame]!));
      }
    } else {
      await writeFile(
        staging,
        format === 'cvat-video' ? writeCvatVideo(set, { ...task, ...(options.source ? { source: options.source } : {}) }) : writeCvatImages(set, task),
      );
    }
    await replaceWith(staging, path);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return {
    format,
    out: path,
    frames: set.frameCount,
    boxes: set.tracks.reduce((sum, track) => sum + track.boxes.length, 0),
    tracks: set.tracks.length,
    notKept: notKept(annotations, set, format),
  };
}

/** The export is never the project folder, a folder above it, or one of the project's own files and folders. */
function checkNotProject(path: string, project: { folder: string; protected: string[] }): void {
  const owned = project.protected.map((entry) => resolve(project.folder, entry));
  if (isWithin(path, project.folder) || owned.some((entry) => isWithin(entry, path))) {
    throw new WorkbenchError('forbidden-path', `${path} is part of the project (or holds it): export to a new file or folder instead`, {
      file: path,
      field: 'out',
    });
  }
}

async function checkOut(path: string, force: boolean): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (!info) return;
  if (force) return;
  if (info.isDirectory() && (await readdir(path)).length === 0) {
    await rm(path, { recursive: true });
    return;
  }
  throw new WorkbenchError('already-exists', `${path} already exists: choose a new path, or replace it with "force"`, { file: path });
}

/** What `format` loses of these annotations, so the user is told rather than surprised. */
function notKept(annotations: ProjectAnnotations, set: AnnotationSet, format: AnnotationFormat): string[] {
  const shapes = annotations.tracks.flatMap((track) => track.shapes);
  const boxes = set.tracks.flatMap((track) => track.boxes);
  const lost: string[] = [];
  const count = (n: number, what: string) => n > 0 && lost.push(`${n} ${what}`);
  if (format !== 'cvat-video') {
    const keyframes = shapes.filter((shape) => !shape.outside).length;
    if (keyframes < boxes.length)
      lost.push(`which of the ${boxes.length} boxes are keyframes (${keyframes}) and which are interpolated: every box is written as set by hand`);
  }
  if (format === 'voc') {
    count(boxes.filter((box) => box.zOrder !== 0).length, 'boxes’ z_order (drawing order): Pascal VOC has no place for it');
    count(annotations.tracks.filter((track) => track.extra?.xmlAttributes).length, 'tracks’ CVAT attributes (such as source or group_id)');
    count(shapes.filter((shape) => shape.extra?.xmlAttributes).length, 'keyframes’ CVAT box attributes (such as source or group_id)');
  } else {
    count(shapes.filter((shape) => shape.pose !== undefined && shape.pose !== 'Unspecified').length, 'keyframes’ Pascal VOC <pose>');
    count(shapes.filter((shape) => shape.difficult).length, 'keyframes’ Pascal VOC <difficult> flag');
    count(shapes.filter((shape) => shape.truncated).length, 'keyframes’ Pascal VOC <truncated> flag');
    count(shapes.filter((shape) => shape.extra?.elements).length, 'keyframes’ other Pascal VOC elements');
    const frameElements = Object.values(annotations.extra?.frames ?? {}).filter((frame) => frame.elements).length;
    count(frameElements, 'frames’ other Pascal VOC file elements');
  }
  if (format === 'cvat-video')
    count(Object.values(annotations.extra?.frames ?? {}).filter((frame) => frame.xmlAttributes).length, 'images’ CVAT for images attributes');
  return lost;
}
