// CVAT for video 1.1 and CVAT for images 1.1.

import type { AnnotationTrack, FormatExtra, Shape } from '../../../shared/annotations';
import { WorkbenchError } from '../../../shared/errors';
import { ProblemList } from '../problems';
import { checkBox, number, type ReadBox, type ReadResult } from './read-result';
import { holdBefore } from '../../../shared/keyframes';
import { DEFAULT_SOURCE } from './cvat-box';
import { attributes, children, leftovers as allLeftovers, parseXml, tagLines, text, type XmlNode } from './xml-source';

const BOX_ATTRIBUTES = ['frame', 'keyframe', 'outside', 'occluded', 'xtl', 'ytl', 'xbr', 'ybr', 'z_order', 'label'];
/** Shapes Maskbench does not hold: counted and reported, never dropped in silence. */
const OTHER_SHAPES = ['polygon', 'polyline', 'points', 'ellipse', 'cuboid', 'mask', 'skeleton', 'tag'];

/** Leftover XML attributes and elements, without a `source` that is only CVAT's default. */
function leftovers(node: XmlNode, knownAttributes: string[], knownChildren: string[]): FormatExtra | undefined {
  const known = attributes(node).source === DEFAULT_SOURCE ? [...knownAttributes, 'source'] : knownAttributes;
  return allLeftovers(node, known, knownChildren);
}

/** Which CVAT format an XML document is, from its content. */
export function detectCvatFormat(root: XmlNode): 'cvat-video' | 'cvat-images' | null {
  if (children(root, 'track').length > 0) return 'cvat-video';
  if (children(root, 'image').length > 0) return 'cvat-images';
  const mode = text(((root.meta as XmlNode | undefined)?.task as XmlNode | undefined)?.mode);
  return mode === 'interpolation' ? 'cvat-video' : mode === 'annotation' ? 'cvat-images' : null;
}

export function parseCvat(content: string, file: string): XmlNode {
  const root = parseXml(content, file).annotations as XmlNode | undefined;
  if (!root || typeof root !== 'object')
    throw new WorkbenchError('invalid-annotations', `${file} has no <annotations> element: it is not a CVAT XML file`, { file });
  return root;
}

function taskInfo(root: XmlNode): { size: number; width: number; height: number } {
  const meta = (root.meta ?? {}) as XmlNode;
  const task = (meta.task ?? meta.job ?? {}) as XmlNode;
  const original = (task.original_size ?? {}) as XmlNode;
  return { size: number(text(task.size)), width: number(text(original.width)), height: number(text(original.height)) };
}

function boxAttributes(box: XmlNode): { attributes: Record<string, string>; trackId: string | undefined } {
  const values: Record<string, string> = {};
  for (const attribute of children(box, 'attribute')) values[attributes(attribute).name ?? ''] = text(attribute);
  const trackId = values.track_id;
  delete values.track_id;
  return { attributes: values, trackId };
}

function reportOtherShapes(node: XmlNode, problems: ProblemList, file: string): void {
  for (const shape of OTHER_SHAPES) {
    const count = children(node, shape).length;
    if (count) problems.warning(`${count} <${shape}> shape${count > 1 ? 's are' : ' is'} not imported: Maskbench holds boxes only`, { file }, `other-${shape}`);
  }
}

export function readCvatVideo(content: string, file: string, fallbackSize?: { width: number; height: number; frameCount: number }): ReadResult {
  const problems = new ProblemList();
  const root = parseCvat(content, file);
  const task = taskInfo(root);
  const width = task.width || fallbackSize?.width || 0;
  const height = task.height || fallbackSize?.height || 0;
  if (!width || !height)
    throw new WorkbenchError('invalid-annotations', `${file} gives no <original_size>, and the project has no video to take it from`, { file });
  const tracksXml = children(root, 'track');
  let lastFrame = -1;
  for (const track of tracksXml) for (const box of children(track, 'box')) lastFrame = Math.max(lastFrame, number(attributes(box).frame ?? '') || 0);
  const frameCount = task.size || fallbackSize?.frameCount || lastFrame + 1;
  const trackLines = tagLines(content, 'track');
  const boxLines = tagLines(content, 'box');
  let boxIndex = 0;

  // A person spans several CVAT tracks when their label changes; `track_id` ties them back together.
  const byPerson = new Map<number, AnnotationTrack>();
  const seenCvatIds = new Set<string>();
  const unidentified: AnnotationTrack[] = [];
  tracksXml.forEach((trackXml, trackIndex) => {
    const trackAttributes = attributes(trackXml);
    const where = { file, line: trackLines[trackIndex] };
    const cvatId = trackAttributes.id ?? '';
    if (seenCvatIds.has(cvatId)) problems.warning(`track id ${cvatId} is used twice; the second track is kept as a separate track`, where, 'duplicate-track');
    seenCvatIds.add(cvatId);
    reportOtherShapes(trackXml, problems, file);
    const label = trackAttributes.label ?? '';
    const shapes: Shape[] = [];
    // A file that marks no keyframes (some tools leave the attribute out) lists boxes set by hand: keep them all.
    const flagged = children(trackXml, 'box').some((box) => attributes(box).keyframe !== undefined);
    if (!flagged && children(trackXml, 'box').length)
      problems.warning('boxes carry no keyframe attribute; every box is taken as a keyframe', where, 'no-keyframe-flags');
    let personId: number | null = null;
    for (const box of children(trackXml, 'box')) {
      const boxWhere = { file, line: boxLines[boxIndex++] };
      const a = attributes(box);
      const frame = number(a.frame ?? '');
      if (!Number.isInteger(frame) || frame < 0 || frame >= frameCount) {
        problems.error(`a box is on frame ${a.frame ?? '(none)'}, outside the clip's ${frameCount} frames; it is skipped`, boxWhere, 'frame-range');
        continue;
      }
      const { attributes: values, trackId } = boxAttributes(box);
      if (trackId !== undefined && /^\d+$/.test(trackId)) personId = Number(trackId);
      const outside = a.outside === '1';
      // Only keyframes carry information; CVAT lists the interpolated boxes between them for convenience.
      if (flagged && a.keyframe !== '1' && !outside) continue;
      const raw = { xtl: number(a.xtl ?? ''), ytl: number(a.ytl ?? ''), xbr: number(a.xbr ?? ''), ybr: number(a.ybr ?? '') };
      const geometry = outside ? raw : checkBox(raw, width, height, problems, boxWhere);
      if (!geometry) continue;
      const extra = leftovers(box, BOX_ATTRIBUTES, ['attribute']);
      shapes.push({
        ...geometry,
        frame,
        label: a.label ?? label,
        occluded: a.occluded === '1',
        outside,
        zOrder: number(a.z_order ?? '0') || 0,
        attributes: values,
        ...(extra ? { extra } : {}),
      });
    }
    if (shapes.length === 0) return;
    const trackExtra = leftovers(trackXml, ['id', 'label'], ['box', ...OTHER_SHAPES]);
    // Without a track_id, the CVAT track's own id names the person (unless another track took it).
    const track: AnnotationTrack = { id: personId ?? (/^\d+$/.test(cvatId) ? Number(cvatId) : -1), shapes, ...(trackExtra ? { extra: trackExtra } : {}) };
    if (personId === null) unidentified.push(track);
    else mergeInto(byPerson, personId, track, problems, where);
  });
  const taken = new Set(byPerson.keys());
  let nextId = Math.max(0, ...byPerson.keys(), ...unidentified.map((track) => track.id)) + 1;
  const tracks = [...byPerson.values()];
  for (const track of unidentified) {
    const id = track.id >= 0 && !taken.has(track.id) ? track.id : nextId++;
    taken.add(id);
    tracks.push({ ...track, id });
  }
  for (const track of tracks) track.shapes.sort((a, b) => a.frame - b.frame);
  return {
    format: 'cvat-video',
    width,
    height,
    frameCount,
    frameNames: Array.from({ length: frameCount }, (_, frame) => `frame_${String(frame).padStart(6, '0')}.jpg`),
    tracks: tracks.sort((a, b) => a.id - b.id),
    readBoxes: [],
    problems,
  };
}

/** Joins a CVAT track into the person's track; where both have a keyframe on one frame, the one in view wins. */
function mergeInto(
  byPerson: Map<number, AnnotationTrack>,
  personId: number,
  track: AnnotationTrack,
  problems: ProblemList,
  where: { file: string; line: number | undefined },
): void {
  const existing = byPerson.get(personId);
  if (!existing) {
    byPerson.set(personId, { ...track, id: personId });
    return;
  }
  for (const [from, into] of [
    [existing, track],
    [track, existing],
  ] as const) {
    for (const shape of [...from.shapes])
      if (shape.outside && into.shapes.some((candidate) => candidate.frame === shape.frame && !candidate.outside)) holdBefore(from.shapes, shape.frame);
  }
  const byFrame = new Map(existing.shapes.map((shape) => [shape.frame, shape]));
  for (const shape of track.shapes) {
    const other = byFrame.get(shape.frame);
    if (!other || other.outside) byFrame.set(shape.frame, shape);
    else if (!shape.outside) problems.error(`track_id ${personId} has two boxes on frame ${shape.frame}; the later one is skipped`, where, 'overlap');
  }
  existing.shapes = [...byFrame.values()];
}

export function readCvatImages(content: string, file: string): ReadResult {
  const problems = new ProblemList();
  const root = parseCvat(content, file);
  const images = children(root, 'image');
  const imageLines = tagLines(content, 'image');
  const boxLines = tagLines(content, 'box');
  const task = taskInfo(root);
  let boxIndex = 0;
  const first = attributes(images[0] ?? {});
  const width = number(first.width ?? '') || task.width;
  const height = number(first.height ?? '') || task.height;
  if (!width || !height) throw new WorkbenchError('invalid-annotations', `${file} gives no image size`, { file });

  const readBoxes: ReadBox[] = [];
  const frameNames: string[] = [];
  const frames: Record<number, FormatExtra> = {};
  const seen = new Set<number>();
  images.forEach((image, index) => {
    const a = attributes(image);
    const where = { file, line: imageLines[index] };
    const frame = number(a.id ?? '');
    const boxes = children(image, 'box');
    if (!Number.isInteger(frame) || frame < 0 || seen.has(frame)) {
      problems.error(`<image id="${a.id ?? ''}"> is not a new whole frame number; its boxes are skipped`, where, 'image-id');
      boxIndex += boxes.length;
      return;
    }
    seen.add(frame);
    frameNames[frame] = a.name ?? `frame_${String(frame).padStart(6, '0')}.jpg`;
    if ((a.width && number(a.width) !== width) || (a.height && number(a.height) !== height)) {
      problems.warning(`image ${a.name ?? frame} is ${a.width}x${a.height}, unlike the first image's ${width}x${height}`, where, 'size-differs');
    }
    const imageExtra = leftovers(image, ['id', 'name', 'width', 'height'], ['box', ...OTHER_SHAPES]);
    if (imageExtra) frames[frame] = imageExtra;
    reportOtherShapes(image, problems, file);
    for (const box of boxes) {
      const boxWhere = { file, line: boxLines[boxIndex++] };
      const b = attributes(box);
      const geometry = checkBox(
        { xtl: number(b.xtl ?? ''), ytl: number(b.ytl ?? ''), xbr: number(b.xbr ?? ''), ybr: number(b.ybr ?? '') },
        width,
        height,
        problems,
        boxWhere,
      );
      if (!geometry) continue;
      const { attributes: values, trackId } = boxAttributes(box);
      const extra = leftovers(box, BOX_ATTRIBUTES, ['attribute']);
      readBoxes.push({
        trackId: trackId !== undefined && /^\d+$/.test(trackId) ? Number(trackId) : null,
        box: {
          frame,
          ...geometry,
          label: b.label ?? '',
          occluded: b.occluded === '1',
          truncated: false,
          keyframe: true,
          zOrder: number(b.z_order ?? '0') || 0,
          ...(Object.keys(values).length ? { attributes: values } : {}),
          ...(extra ? { extra } : {}),
        },
        ...boxWhere,
      });
    }
  });
  const frameCount = Math.max(task.size || 0, frameNames.length);
  for (let frame = 0; frame < frameCount; frame++) frameNames[frame] ??= `frame_${String(frame).padStart(6, '0')}.jpg`;
  return {
    format: 'cvat-images',
    width,
    height,
    frameCount,
    frameNames,
    tracks: [],
    readBoxes,
    ...(Object.keys(frames).length ? { extra: { frames } } : {}),
    problems,
  };
}
