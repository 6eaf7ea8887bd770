// Reads annotations in any supported format into the project's model: checks them against the
// project, maps their labels onto the project's label set, and links per-frame boxes into tracks.

import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AnnotationFormat, AnnotationTrack, FrameSize, ImportReport, ProjectAnnotations } from '../../shared/annotations';
import { ANNOTATIONS_SCHEMA } from '../../shared/annotations';
import { WorkbenchError } from '../../shared/errors';
import type { ProjectSettings } from '../../shared/project';
import { detectCvatFormat, parseCvat, readCvatImages, readCvatVideo } from './formats/read-cvat';
import type { ReadResult } from './formats/read-result';
import { readVoc } from './formats/read-voc';
import { readXmlFile } from './formats/xml-source';
import { describeSizes, distinctSizes } from '../../shared/frame-sizes';
import { boxAt, fromBoxes, pick } from '../../shared/keyframes';
import { DEFAULT_LINK_THRESHOLD, linkTracks } from './link-tracks';
import type { ProblemList } from './problems';
import { TrackIds } from './track-ids';

const CVAT_NAMES = { 'cvat-video': 'CVAT for video', 'cvat-images': 'CVAT for images' } as const;

export interface ImportOptions {
  /** Detected from the source when not given: a folder is Pascal VOC, an XML file one of the CVAT formats. */
  format?: AnnotationFormat;
  /** The smallest IoU that links a box to a track (0 to 1). Given for stills, it asks for them to be linked all the same. */
  linkThreshold?: number;
  /** The frames are separate photos, not a sequence (default: when their sizes differ): boxes are not linked into tracks. */
  stills?: boolean;
  /** The project's settings: its label set and mapping, and its media's size and length. */
  settings: ProjectSettings | null;
  /** The project's frame files, when its media is a folder of frames: VOC files are matched to them by <filename>. */
  frameNames?: string[];
  /** Those files' own sizes, by frame: boxes are checked against their own image, and each image keeps its size. */
  frameSizes?: FrameSize[];
}

export async function importAnnotations(source: string, options: ImportOptions): Promise<{ annotations: ProjectAnnotations; report: ImportReport }> {
  const path = resolve(source);
  const info = await stat(path).catch(() => {
    throw new WorkbenchError('not-found', `There is nothing at ${path} to import`, { file: path, field: 'source' });
  });
  const media = options.settings?.media ?? null;
  const threshold = options.linkThreshold ?? DEFAULT_LINK_THRESHOLD;
  if (!(threshold > 0 && threshold <= 1))
    throw new WorkbenchError('invalid-request', `The link threshold must be above 0 and at most 1, got ${threshold}`, { field: 'linkThreshold' });

  let read: ReadResult;
  if (info.isDirectory()) {
    if (options.format && options.format !== 'voc')
      throw new WorkbenchError('invalid-request', `${path} is a folder, which can only be Pascal VOC ("format" voc)`, { file: path, field: 'format' });
    read = await readVoc(path, {
      ...(options.frameSizes ? { frameSizes: options.frameSizes } : media ? { size: { width: media.width, height: media.height } } : {}),
      ...(options.frameNames ? { frameNames: options.frameNames } : {}),
    });
  } else {
    const content = await readXmlFile(path);
    if (options.format === 'voc')
      throw new WorkbenchError('invalid-request', `${path} is a file; Pascal VOC is a folder of XML files`, { file: path, field: 'format' });
    const detected = detectCvatFormat(parseCvat(content, path));
    // Read as the other CVAT format, a file would import nothing, and say only that.
    if (options.format && detected && detected !== options.format)
      throw new WorkbenchError(
        'invalid-request',
        `${path} is a ${CVAT_NAMES[detected]} file (it has <${detected === 'cvat-video' ? 'track' : 'image'}> elements), not ${CVAT_NAMES[options.format]}: give "format" ${detected}, or leave it out`,
        { file: path, field: 'format' },
      );
    const format = options.format ?? detected;
    if (!format)
      throw new WorkbenchError('invalid-annotations', `${path} has neither <track> nor <image> elements: say which CVAT format it is with "format"`, {
        file: path,
        field: 'format',
      });
    const fallback = media ? { width: media.width, height: media.height, frameCount: media.frameCount } : undefined;
    read = format === 'cvat-video' ? readCvatVideo(content, path, fallback) : readCvatImages(content, path, media?.frameCount, options.frameSizes);
  }
  const { problems } = read;

  if (media && (media.width !== read.width || media.height !== read.height)) {
    problems.error(
      `the annotations are for ${read.width}x${read.height} frames but the project's video is ${media.width}x${media.height}; boxes are not rescaled`,
      { file: path },
      'size',
    );
  }
  const frameCount = media?.frameCount ?? read.frameCount;
  const inRange = read.readBoxes.filter(({ box, file, line }) => {
    if (box.frame < frameCount) return true;
    problems.error(`a box is on frame ${box.frame}, beyond the video's ${frameCount} frames; it is skipped`, { file, line }, 'beyond-video');
    return false;
  });
  // A video's frames all have its size; images keep each their own (the project's files', else as the annotations give them).
  const frameSizes = media?.kind === 'video' ? undefined : options.frameSizes ? distinctSizes(options.frameSizes) : read.frameSizes;
  if (media?.kind === 'video' && read.frameSizes) {
    problems.error(
      `the annotations are for images of different sizes (${describeSizes(read.frameSizes)}) but the project's video is ${media.width}x${media.height}; boxes are not rescaled`,
      { file: path },
      'size',
    );
  }
  const stills = options.stills ?? frameSizes !== undefined;
  if (stills && options.stills === undefined) {
    problems.warning(
      `the images are of different sizes (${describeSizes(frameSizes!)}), so they are taken as separate photos: each keeps its own size, and their boxes are not linked into tracks`,
      { file: path },
      'stills',
    );
  }
  // Photos are not a sequence: a box on one says nothing about the next, unless the user asks for linking.
  const linked = linkTracks(inRange, stills && options.linkThreshold === undefined ? null : threshold, problems);
  const linkedTracks = fromBoxes({ width: read.width, height: read.height, frameCount, frameNames: [], labels: [], tracks: linked.tracks }).tracks;
  if (read.format === 'cvat-video' && media && read.frameCount !== media.frameCount) {
    problems.warning(`the file is for ${read.frameCount} frames but the video has ${media.frameCount}`, { file: path }, 'frame-count');
  }
  const tracks = [
    ...read.tracks.map((track) => clipTrack(track, frameCount, problems, path)).filter((track) => track.shapes.length > 0),
    ...renumber(linkedTracks, read.tracks),
  ];

  const { labels, mapped, unknownLabels } = mapLabels(tracks, options.settings, frameCount);
  const labelsAt = new Map(read.trackLabelsAt);
  for (const { box, file, line } of read.readBoxes) if (!labelsAt.has(box.label)) labelsAt.set(box.label, { file, line });
  for (const [label, count] of unknownLabels) {
    problems.warning(
      `${count} boxes carry the label "${label}" (the first here), which is not in the project's label set; they keep it until you map or relabel them`,
      labelsAt.get(label) ?? { file: path },
      `unknown-${label}`,
    );
  }
  const frameNames = options.frameNames ?? Array.from({ length: frameCount }, (_, frame) => read.frameNames[frame] ?? videoFrameName(frame));
  const annotations: ProjectAnnotations = {
    schema: ANNOTATIONS_SCHEMA,
    width: read.width,
    height: read.height,
    ...(frameSizes ? { frameSizes } : {}),
    ...(stills ? { stills } : {}),
    frameCount,
    frameNames,
    tracks,
    ...(read.extra ? { extra: read.extra } : {}),
  };
  return {
    annotations,
    report: {
      source: path,
      format: read.format,
      frames: frameCount,
      boxes: [...labels.values(), ...unknownLabels.values()].reduce((sum, count) => sum + count, 0),
      tracks: tracks.length,
      tracksFormed: linked.formed,
      labels: Object.fromEntries(labels),
      mapped: Object.fromEntries(mapped),
      unknownLabels: Object.fromEntries(unknownLabels),
      problems: problems.list(),
    },
  };
}

/**
 * Keyframes beyond the video are dropped, and said so; a track cut off by the clip's end keeps the box it
 * had on the last frame (a keyframe there stands for the interpolation toward the dropped one).
 */
function clipTrack(track: AnnotationTrack, frameCount: number, problems: ProblemList, file: string): AnnotationTrack {
  const beyond = track.shapes.filter((shape) => shape.frame >= frameCount);
  if (beyond.length === 0) return track;
  problems.warning(
    `track ${track.id} has ${beyond.length} keyframes beyond the video's ${frameCount} frames; they are dropped`,
    { file },
    'beyond-video-track',
  );
  const last = boxAt(track, frameCount - 1, (value) => value);
  const kept = track.shapes.filter((shape) => shape.frame < frameCount);
  if (last && !kept.some((shape) => shape.frame === frameCount - 1)) kept.push({ ...kept.at(-1)!, ...pick(last), frame: frameCount - 1, outside: false });
  return { ...track, shapes: kept };
}

/** Linked tracks take ids after those the file gave, so no id is used twice. */
function renumber(linked: AnnotationTrack[], identified: AnnotationTrack[]): AnnotationTrack[] {
  const ids = new TrackIds(identified.map((track) => track.id));
  return linked.map((track) => (ids.has(track.id) ? { ...track, id: ids.next() } : track));
}

/**
 * Renames labels through the project's mapping (exact, then case-insensitive). Boxes whose label is
 * neither in the set nor mapped are counted per label; nothing is dropped. Maps, as labels come from
 * files: one named "constructor" is a label like any other.
 */
function mapLabels(tracks: AnnotationTrack[], settings: ProjectSettings | null, frameCount: number) {
  const names = new Set(settings?.labels.map((label) => label.name) ?? []);
  const mapping = new Map(Object.entries(settings?.labelMapping ?? {}));
  for (const [from, to] of Object.entries(settings?.labelMapping ?? {})) mapping.set(from.toLowerCase(), to);
  const labels = new Map([...names].map((name) => [name, 0]));
  const mapped = new Map<string, string>();
  const unknownLabels = new Map<string, number>();
  const boxCounts = new Map<string, number>();
  for (const track of tracks) {
    for (let i = 0; i < track.shapes.length; i++) {
      const shape = track.shapes[i]!;
      const target = names.has(shape.label) || !settings ? shape.label : (mapping.get(shape.label) ?? mapping.get(shape.label.toLowerCase()));
      if (target !== undefined && target !== shape.label) {
        mapped.set(shape.label, target);
        shape.label = target;
      }
      // Count boxes in view, not keyframes: a keyframe stands for every frame up to the next (the last, to the clip's end).
      if (shape.outside) continue;
      const span = (track.shapes[i + 1]?.frame ?? frameCount) - shape.frame;
      boxCounts.set(shape.label, (boxCounts.get(shape.label) ?? 0) + span);
    }
  }
  for (const [label, count] of boxCounts) {
    if (!settings || names.has(label)) labels.set(label, (labels.get(label) ?? 0) + count);
    else unknownLabels.set(label, count);
  }
  return { labels, mapped, unknownLabels };
}

/** A video frame's name where a file names none: what image formats (VOC, CVAT for images) export it as. */
export function videoFrameName(frame: number): string {
  return `frame_${String(frame).padStart(6, '0')}.jpg`;
}
