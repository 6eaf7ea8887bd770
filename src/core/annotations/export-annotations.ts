// Writes the project's annotations in a file format, saying what the format cannot hold. Nothing that
// exists is overwritten unless asked; the output appears whole or not at all.

import { mkdir, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { AnnotationFormat, AnnotationSet, ExportReport, ProjectAnnotations } from '../../shared/annotations';
import { WorkbenchError } from '../../shared/errors';
import { describeSizes } from '../../shared/frame-sizes';
import type { LabelDef } from '../../shared/project';
import { writeCvatImages } from './formats/cvat-images';
import { writeCvatVideo } from './formats/cvat-video';
import { describeTask, taskIndexOf, taskView } from './formats/cvat-task-frames';
import { boxesByFrame } from './formats/frame-boxes';
import { vocFileName, writeVocFrame } from './formats/pascal-voc';
import { materialize, round2 } from '../../shared/keyframes';
import { isWithin } from '../fs/paths';
import { replaceWith, stagingFor, sweepLeftovers } from '../fs/replace';

export interface ExportOptions {
  name: string;
  labels: LabelDef[];
  /** Replace what is at `out` (never the project itself, anything it is made of, or a folder holding either). */
  force?: boolean;
  /** The media file name, for CVAT for video's <source>. */
  source?: string;
  /** The project folder and the paths in it (see protectedEntries) that the export must never replace, write into or hold. */
  project?: { folder: string; protected: string[] };
}

export async function exportAnnotations(annotations: ProjectAnnotations, format: AnnotationFormat, out: string, options: ExportOptions): Promise<ExportReport> {
  const path = resolve(out);
  if (options.project) await checkNotProject(path, options.project);
  try {
    return await writeExport(annotations, format, path, options);
  } catch (error) {
    // The file system's refusals (no space, no permission) are said as such, naming the path.
    if (error instanceof WorkbenchError || typeof (error as NodeJS.ErrnoException).code !== 'string') throw error;
    throw new WorkbenchError('io-error', `Could not export to ${path}: ${(error as Error).message}`, { file: path, field: 'out' });
  }
}

async function writeExport(annotations: ProjectAnnotations, format: AnnotationFormat, path: string, options: ExportOptions): Promise<ExportReport> {
  // An export killed as it replaced `path` left the last one hidden beside it: back, it is asked about as any other.
  await sweepLeftovers(path);
  await checkOut(path, options.force === true);
  const inSet = new Set(options.labels.map((label) => label.name));
  const used = new Set(annotations.tracks.flatMap((track) => track.shapes.map((shape) => shape.label)));
  const labels = [...options.labels.map((label) => label.name), ...[...used].filter((label) => !inSet.has(label)).sort()];
  const set = materialize(annotations, labels);
  const task = { name: options.name, colors: Object.fromEntries(options.labels.map((label) => [label.name, label.color])) };

  const staging = stagingFor(path);
  try {
    if (format === 'voc') {
      await mkdir(staging);
      const frames = boxesByFrame(set);
      const names = new Set<string>();
      for (let frame = 0; frame < set.frameCount; frame++) {
        // Two frames never share a file, even where their names (from a file) are alike but for case or folder.
        let name = vocFileName(set.frameNames[frame]!);
        while (names.has(name.toLowerCase())) name = name.replace(/\.xml$/, `_${frame}.xml`);
        names.add(name.toLowerCase());
        await writeFile(join(staging, name), writeVocFrame(set, frame, frames[frame]!));
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
  // What was written: to CVAT, only a task's frames (see taskView).
  const written = format === 'voc' ? set : taskView(set).set;
  return {
    format,
    out: path,
    frames: written.frameCount,
    boxes: written.tracks.reduce((sum, track) => sum + track.boxes.length, 0),
    tracks: written.tracks.length,
    notKept: notKept(annotations, written, format),
  };
}

/**
 * The export is never the project folder or a folder above it, nor one of the project's own files and
 * folders, inside one, or a folder holding one. Links are followed, at `path` and in the folders above it.
 */
async function checkNotProject(path: string, project: { folder: string; protected: string[] }): Promise<void> {
  const folder = await realPath(project.folder);
  const owned = await Promise.all(project.protected.map((entry) => realPath(resolve(folder, entry))));
  // Where the export lands (the folder it goes in, followed) and what it would replace (`path`, followed).
  const targets = [join(await realPath(dirname(path)), basename(path)), await realPath(path)];
  const clashes = (target: string) => isWithin(target, folder) || owned.some((entry) => isWithin(entry, target) || isWithin(target, entry));
  if (targets.some(clashes)) {
    throw new WorkbenchError('forbidden-path', `${path} is part of the project (or holds it): export to a new file or folder instead`, {
      file: path,
      field: 'out',
    });
  }
}

/** Where `path` really is, links followed; `path` itself while there is nothing there. */
function realPath(path: string): Promise<string> {
  return realpath(path).catch(() => path);
}

async function checkOut(path: string, force: boolean): Promise<void> {
  const folder = await stat(dirname(path)).catch(() => null);
  if (!folder?.isDirectory())
    throw new WorkbenchError('not-found', `There is no folder ${dirname(path)} to export into`, { file: dirname(path), field: 'out' });
  const info = await stat(path).catch(() => null);
  if (!info) return;
  if (force) return;
  if (info.isDirectory() && (await readdir(path)).length === 0) {
    await rm(path, { recursive: true });
    return;
  }
  throw new WorkbenchError('already-exists', `${path} already exists: choose a new path, or replace it with "force"`, { file: path });
}

/** What `format` loses of these annotations, written as `written`, so the user is told rather than surprised. */
function notKept(annotations: ProjectAnnotations, written: AnnotationSet, format: AnnotationFormat): string[] {
  // Boxes set by hand: not the outside keyframes where tracks leave the view, which no format writes as boxes.
  const shapes = annotations.tracks.flatMap((track) => track.shapes).filter((shape) => !shape.outside);
  const boxes = written.tracks.flatMap((track) => track.boxes);
  const task = annotations.extra?.cvatTask;
  // To CVAT, a task's frames only: what is lost of the keyframes elsewhere is said once, below.
  const writtenShapes = task && format !== 'voc' ? shapes.filter((shape) => taskIndexOf(task, shape.frame) !== null) : shapes;
  const lost: string[] = [];
  const count = (n: number, what: string) => n > 0 && lost.push(`${n} ${what}`);
  if (format !== 'cvat-video') {
    if (writtenShapes.length < boxes.length)
      lost.push(`which of the ${boxes.length} boxes are keyframes (${writtenShapes.length}) and which are interpolated: every box is written as set by hand`);
  }
  if (format === 'voc') {
    count(boxes.filter((box) => box.zOrder !== 0).length, 'boxes’ z_order (drawing order): Pascal VOC has no place for it');
    count(annotations.tracks.filter((track) => track.extra?.xmlAttributes).length, 'tracks’ CVAT attributes (such as source or group_id)');
    count(shapes.filter((shape) => shape.extra?.xmlAttributes).length, 'keyframes’ CVAT box attributes (such as source or group_id)');
  } else {
    const finer = (value: number) => Math.abs(round2(value) - value) > 1e-9;
    count(
      writtenShapes.filter((shape) => [shape.xtl, shape.ytl, shape.xbr, shape.ybr].some(finer)).length,
      'keyframes’ corners to less than a hundredth of a pixel: CVAT writes two decimals',
    );
    count(writtenShapes.filter((shape) => shape.pose !== undefined && shape.pose !== 'Unspecified').length, 'keyframes’ Pascal VOC <pose>');
    count(writtenShapes.filter((shape) => shape.difficult).length, 'keyframes’ Pascal VOC <difficult> flag');
    count(writtenShapes.filter((shape) => shape.truncated).length, 'keyframes’ Pascal VOC <truncated> flag');
    count(writtenShapes.filter((shape) => shape.extra?.elements).length, 'keyframes’ other Pascal VOC elements');
    const frameElements = Object.values(annotations.extra?.frames ?? {}).filter((frame) => frame.elements).length;
    count(frameElements, 'frames’ other Pascal VOC file elements');
  }
  if (format === 'cvat-video')
    count(Object.values(annotations.extra?.frames ?? {}).filter((frame) => frame.xmlAttributes).length, 'images’ CVAT for images attributes');
  // CVAT for video has one <original_size>: a reader checks every photo's boxes against it.
  if (format === 'cvat-video' && annotations.frameSizes)
    lost.push(
      `each image’s own size (${describeSizes(annotations.frameSizes)}): CVAT for video has one, ${annotations.width}x${annotations.height}; CVAT for images and Pascal VOC keep each image’s`,
    );
  const kept = annotations.extra?.cvatShapes;
  if (format !== 'cvat-video') count(kept?.tracks?.length ?? 0, 'CVAT tracks of other shapes (polygons, points, skeletons...), kept for CVAT for video only');
  if (format !== 'cvat-video') count(kept?.tags?.length ?? 0, 'CVAT for video tags of whole frames, kept for CVAT for video only');
  if (format !== 'cvat-images')
    count(Object.keys(kept?.frames ?? {}).length, 'images’ other CVAT shapes (polygons, points, skeletons...), kept for CVAT for images only');
  // A CVAT task made from part of a video holds only its frames: keyframes set elsewhere are not written.
  if (task && format !== 'voc')
    count(shapes.length - writtenShapes.length, `keyframes on frames the CVAT task (frames ${describeTask(task)}) does not hold: only its frames are written`);
  return lost;
}
