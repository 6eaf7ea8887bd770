// CVAT for video 1.1 and CVAT for images 1.1.

import type { AnnotationTrack, CvatShapes, CvatTaskFrames, FormatExtra, FrameSize, Shape } from '../../../shared/annotations';
import { WorkbenchError } from '../../../shared/errors';
import { distinctSizes } from '../../../shared/frame-sizes';
import { MAX_FRAMES } from '../../../shared/project';
import { ProblemList } from '../problems';
import { TrackIds } from '../track-ids';
import { checkBox, checkLabel, flagOf, headerNumber, headerSize, number, shown, trackIdOf, zOrderOf, type ReadBox, type ReadResult } from './read-result';
import { holdBefore } from '../../../shared/keyframes';
import { DEFAULT_SOURCE } from './cvat-box';
import { DEFAULT_COLOR } from './cvat-meta';
import { chooseProjectFrames, describeTask, fileFrameOf, readTaskRange, taskFrameCount, toProjectFrame } from './cvat-task-frames';
import {
  attributes,
  children,
  firstAttributeLine,
  firstTagLine,
  leftovers as allLeftovers,
  parseXml,
  tagLines,
  text,
  whereIn,
  type XmlNode,
} from './xml-source';

const BOX_ATTRIBUTES = ['frame', 'keyframe', 'outside', 'occluded', 'xtl', 'ytl', 'xbr', 'ybr', 'z_order', 'label'];
/** Shapes Maskbench does not show: kept as read, unshown, and written back to the same CVAT format. */
const OTHER_SHAPES = ['polygon', 'polyline', 'points', 'ellipse', 'cuboid', 'mask', 'skeleton', 'tag'];

/** Leftover XML attributes and elements, without a `source` that is only CVAT's default. */
function leftovers(node: XmlNode, knownAttributes: string[], knownChildren: string[]): FormatExtra | undefined {
  const known = attributes(node).source === DEFAULT_SOURCE ? [...knownAttributes, 'source'] : knownAttributes;
  return allLeftovers(node, known, knownChildren);
}

/** A track's XML attributes without its id: an export numbers tracks afresh. */
function ownAttributes({ id: _id, ...kept }: Record<string, string>): Record<string, string> {
  return kept;
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
    throw new WorkbenchError('invalid-annotations', `${file} has no <annotations> element: it is not a CVAT XML file`, whereIn(file));
  return root;
}

/** The task's frame count and frame size, where its <meta> gives them (each checked). */
function taskInfo(root: XmlNode, content: string, problems: ProblemList, file: string): { size?: number; width?: number; height?: number } {
  const meta = (root.meta ?? {}) as XmlNode;
  const task = (meta.task ?? meta.job ?? {}) as XmlNode;
  const original = (task.original_size ?? {}) as XmlNode;
  const sizeWhere = { file, line: firstTagLine(content, 'original_size') };
  return {
    size: headerNumber(text(task.size), MAX_FRAMES, '<size>', problems, { file, line: firstTagLine(content, 'size') }),
    ...headerSize(text(original.width), text(original.height), '<original_size>', problems, sizeWhere),
  };
}

/** A box's <attribute> children by name (a Map: names come from the file), without the person's `track_id`. */
function boxAttributes(box: XmlNode): { attributes: Record<string, string>; trackId: string | undefined } {
  const values = new Map(children(box, 'attribute').map((attribute) => [attributes(attribute).name ?? '', text(attribute)]));
  const trackId = values.get('track_id');
  values.delete('track_id');
  return { attributes: Object.fromEntries(values), trackId };
}

/** A <box>'s corners, checked against the frame (and clipped to it). */
function boxGeometry(a: Record<string, string>, width: number, height: number, problems: ProblemList, where: { file: string; line?: number }) {
  return checkBox({ xtl: a.xtl, ytl: a.ytl, xbr: a.xbr, ybr: a.ybr }, 'cvat', width, height, problems, where);
}

/** The shapes other than boxes an element holds, by tag, as read; undefined when it holds none. */
function otherShapes(node: XmlNode): Record<string, unknown> | undefined {
  const shapes = Object.fromEntries(OTHER_SHAPES.filter((tag) => node[tag] !== undefined).map((tag) => [tag, node[tag]]));
  return Object.keys(shapes).length ? shapes : undefined;
}

/** "2 <polygon>, 1 <skeleton>": what kept shapes are, for the report. */
function countShapes(nodes: XmlNode[]): string {
  return OTHER_SHAPES.map((tag) => [tag, nodes.reduce((sum, node) => sum + children(node, tag).length, 0)] as const)
    .filter(([, count]) => count > 0)
    .map(([tag, count]) => `${count} <${tag}>`)
    .join(', ');
}

/** The file's <label> declarations: its task's, job's or project's. */
function declaredLabels(root: XmlNode): XmlNode[] {
  const meta = (root.meta ?? {}) as XmlNode;
  const owner = (meta.task ?? meta.job ?? meta.project ?? {}) as XmlNode;
  return children((owner.labels ?? {}) as XmlNode, 'label');
}

/** Where a label is first used, and the type CVAT declares it with: the shape's, or for a track the kind of shape it holds. */
interface LabelUse {
  element: string;
  type: string;
}

/** Each label the elements in `node` use, as a `label` attribute, in the order met; `element` is the tag of `node` itself. */
function labelUses(node: unknown, element: string, uses = new Map<string, LabelUse>()): Map<string, LabelUse> {
  if (Array.isArray(node)) node.forEach((child) => labelUses(child, element, uses));
  else if (node && typeof node === 'object') {
    const label = attributes(node as XmlNode).label;
    const shape = element === 'track' ? ['box', ...OTHER_SHAPES].find((tag) => (node as XmlNode)[tag] !== undefined) : element;
    const type = shape === 'box' ? 'rectangle' : shape !== undefined && OTHER_SHAPES.includes(shape) ? shape : 'any';
    if (label !== undefined && !uses.has(label)) uses.set(label, { element, type });
    for (const [key, value] of Object.entries(node)) if (key !== '$') labelUses(value, key, uses);
  }
  return uses;
}

/**
 * Warns of each label the file's shapes use that its <labels> do not declare, at its first use: CVAT
 * refuses such a file, and an export declares them all. A file that declares no labels (not CVAT's) is not checked.
 */
function reportUndeclared(root: XmlNode, content: string, problems: ProblemList, file: string): void {
  const declared = new Set(declaredLabels(root).map((label) => text(label.name)));
  if (declared.size === 0) return;
  for (const [label, { element }] of labelUses({ ...root, meta: undefined }, 'annotations')) {
    if (declared.has(label)) continue;
    problems.warning(
      `<${element} label="${shown(label)}"> uses a label the file's <labels> do not declare; it is imported all the same, and an export declares it`,
      { file, line: firstAttributeLine(content, element, 'label', label) },
      'undeclared-label',
    );
  }
}

/** What the file's frames are in the project, and its note for the report, when the task is part of a video. */
function projectFramesOf(root: XmlNode, content: string, problems: ProblemList, file: string, fileFrames: number[], mediaFrames: number | undefined) {
  const range = readTaskRange(root, content, problems, file);
  if (!range) return null;
  const { frames, note } = chooseProjectFrames(range, fileFrames, mediaFrames);
  problems.warning(note, { file, line: firstTagLine(content, 'start_frame') ?? firstTagLine(content, 'frame_filter') }, 'cvat-task-frames');
  return frames;
}

/** A frame number from the file as the project's frame, or null (reported) when the task does not hold it. */
function mappedFrame(task: CvatTaskFrames | null, value: string, problems: ProblemList, where: { file: string; line?: number }, what: string): number | null {
  const frame = number(value);
  if (!task) return frame;
  const projectFrame = toProjectFrame(task, frame);
  if (projectFrame === null)
    problems.error(`${what} is on frame ${shown(value)}, not one of the CVAT task's frames ${describeTask(task)}; it is skipped`, where, 'task-frame');
  return projectFrame;
}

/**
 * A track the task leaves open runs to the task's last frame, not on through the rest of a longer video:
 * it leaves the view on the frame after (an outside keyframe), where the clip goes on past the task.
 */
function endWithTask(shapes: Shape[], task: CvatTaskFrames, frameCount: number): void {
  const last = shapes.at(-1)!;
  const end = toProjectFrame(task, fileFrameOf(task, taskFrameCount(task) - 1))! + 1;
  if (!last.outside && last.frame < end && end < frameCount) shapes.push({ ...last, frame: end, outside: true, attributes: { ...last.attributes } });
}

/**
 * What a box between keyframes gives other than the keyframe before it holds (`occluded`, `z_order`,
 * attribute names); empty when it only repeats them, null when no keyframe comes before it.
 */
function changedFromHeld(shapes: Shape[], frame: number, box: Pick<Shape, 'occluded' | 'zOrder' | 'attributes'>): string[] | null {
  const held = shapes.reduce<Shape | undefined>((last, shape) => (shape.frame < frame && (!last || shape.frame > last.frame) ? shape : last), undefined);
  if (!held) return null;
  const names = new Set([...Object.keys(held.attributes ?? {}), ...Object.keys(box.attributes ?? {})]);
  return [
    ...(box.occluded !== held.occluded ? ['occluded'] : []),
    ...(box.zOrder !== held.zOrder ? ['z_order'] : []),
    ...[...names].filter((name) => held.attributes?.[name] !== box.attributes?.[name]),
  ];
}

/** The frame count of a task's clip: the task's own frames, or the video's (the media's, or up to the stop frame). */
function mappedFrameCount(task: CvatTaskFrames, mediaFrames: number | undefined): number {
  return task.projectFrames === 'task' ? taskFrameCount(task) : (mediaFrames ?? task.stop + 1);
}

export function readCvatVideo(content: string, file: string, fallbackSize?: { width: number; height: number; frameCount: number }): ReadResult {
  const problems = new ProblemList();
  const root = parseCvat(content, file);
  const task = taskInfo(root, content, problems, file);
  const width = task.width ?? fallbackSize?.width;
  const height = task.height ?? fallbackSize?.height;
  if (!width || !height)
    throw new WorkbenchError(
      'invalid-annotations',
      `${file} gives no <original_size>, and there is no project video to take the frame size from: give the project that has the video`,
      whereIn(file, firstTagLine(content, 'original_size')),
    );
  const tracksXml = children(root, 'track');
  const frameOf = (box: XmlNode) => number(attributes(box).frame ?? '');
  const fileFrames = tracksXml.flatMap((track) => children(track, 'box').map(frameOf)).filter(Number.isInteger);
  const taskFrames = projectFramesOf(root, content, problems, file, fileFrames, fallbackSize?.frameCount);
  // Without a <size> or a video, the clip ends after the last box (one Maskbench can hold).
  const lastFrame = fileFrames.reduce((last, frame) => (frame < MAX_FRAMES ? Math.max(last, frame) : last), -1);
  const frameCount = taskFrames ? mappedFrameCount(taskFrames, fallbackSize?.frameCount) : (task.size ?? fallbackSize?.frameCount ?? lastFrame + 1);
  const trackLines = tagLines(content, 'track');
  const boxLines = tagLines(content, 'box');
  let boxIndex = 0;

  // A person spans several CVAT tracks when their label changes; `track_id` ties them back together.
  const byPerson = new Map<number, AnnotationTrack>();
  const seenCvatIds = new Set<string>();
  const unidentified: AnnotationTrack[] = [];
  const labelsAt = new Map<string, { file: string; line?: number }>();
  // Tracks of other shapes are kept whole; CVAT gives each track one kind of shape.
  const keptTracks: XmlNode[] = [];
  // Tracks refused whole: their labels are neither imported nor declared on export.
  const refused = new Set<XmlNode>();
  tracksXml.forEach((trackXml, trackIndex) => {
    const trackAttributes = attributes(trackXml);
    const where = { file, line: trackLines[trackIndex] };
    const cvatId = trackAttributes.id ?? '';
    if (seenCvatIds.has(cvatId))
      problems.warning(`track id ${shown(cvatId)} is used twice; the second track is kept as a separate track`, where, 'duplicate-track');
    seenCvatIds.add(cvatId);
    if (children(trackXml, 'box').length === 0) {
      if (otherShapes(trackXml)) keptTracks.push({ ...trackXml, $: ownAttributes(trackAttributes) });
      return;
    }
    const strays = otherShapes(trackXml);
    if (strays) {
      // A CVAT track has one kind of shape: the others go back as a track of their own, which CVAT takes.
      keptTracks.push({ ...strays, $: ownAttributes(trackAttributes) });
      problems.warning(
        `the track holds boxes and also ${countShapes([trackXml])}: the boxes are imported, the others kept as a track of their own`,
        where,
        'mixed-track',
      );
    }
    const label = trackAttributes.label ?? '';
    const shapes: Shape[] = [];
    const frames = new Set<number>();
    // A file that marks no keyframes (some tools leave the attribute out) lists boxes set by hand: keep them all.
    const flagged = children(trackXml, 'box').some((box) => attributes(box).keyframe !== undefined);
    if (!flagged && children(trackXml, 'box').length)
      problems.warning('boxes carry no keyframe attribute; every box is taken as a keyframe', where, 'no-keyframe-flags');
    let personId: number | null = null;
    // Boxes that are not keyframes, before any keyframe of the track: CVAT takes only keyframes, and so has none of them.
    const unkeyed: Array<number | undefined> = [];
    for (const box of children(trackXml, 'box')) {
      const boxWhere = { file, line: boxLines[boxIndex++] };
      const a = attributes(box);
      if (a.frame === undefined) {
        problems.error('the box has no frame attribute; it is skipped', boxWhere, 'frame-range');
        continue;
      }
      const frame = mappedFrame(taskFrames, a.frame, problems, boxWhere, 'a box');
      if (frame === null) continue;
      if (!Number.isInteger(frame) || frame < 0 || frame >= frameCount) {
        problems.error(`a box is on frame ${shown(a.frame)}, outside the clip's ${frameCount} frames; it is skipped`, boxWhere, 'frame-range');
        continue;
      }
      const { attributes: values, trackId } = boxAttributes(box);
      personId = trackIdOf(trackId, problems, boxWhere, 'the track is not tied to a person by it') ?? personId;
      const outside = flagOf(a, 'outside', problems, boxWhere);
      const keyframe = flagOf(a, 'keyframe', problems, boxWhere);
      const occluded = flagOf(a, 'occluded', problems, boxWhere);
      const zOrder = zOrderOf(a.z_order, problems, boxWhere);
      // Only keyframes carry information; CVAT lists the interpolated boxes between them for convenience,
      // with the keyframe's flags. Other tools and hand edits give some their own: those are kept.
      if (flagged && !keyframe && !outside) {
        const changed = changedFromHeld(shapes, frame, { occluded, zOrder, attributes: values });
        if (changed === null) unkeyed.push(boxWhere.line);
        if (changed === null || changed.length === 0) continue;
        problems.warning(
          `the box is not a keyframe, but its ${changed.join(', ')} differ from the keyframe before; it is kept as a keyframe so that they are not lost`,
          boxWhere,
          'kept-as-keyframe',
        );
      }
      if (frames.has(frame)) {
        problems.error(`the track has a second box on frame ${frame}; it is skipped`, boxWhere, 'duplicate-frame');
        continue;
      }
      const shapeLabel = a.label ?? label;
      // An outside box's geometry is where the person left the view: checked like any other.
      const geometry = boxGeometry(a, width, height, problems, boxWhere);
      if (!geometry || !checkLabel(shapeLabel, problems, boxWhere)) continue;
      frames.add(frame);
      if (!labelsAt.has(shapeLabel)) labelsAt.set(shapeLabel, boxWhere);
      const extra = leftovers(box, BOX_ATTRIBUTES, ['attribute']);
      shapes.push({
        ...geometry,
        frame,
        label: shapeLabel,
        occluded,
        outside,
        zOrder,
        attributes: values,
        ...(extra ? { extra } : {}),
      });
    }
    if (unkeyed.length > 0 && !shapes.some((shape) => !shape.outside)) {
      problems.error(
        `<track label="${shown(label)}"> has boxes but no keyframe in view: CVAT takes only a track's keyframes, and refuses a track without one; it is skipped`,
        where,
        'no-keyframe',
      );
      refused.add(trackXml);
      return;
    }
    if (unkeyed.length > 0)
      problems.warning(
        `${unkeyed.length} boxes before the track's first keyframe are not keyframes: CVAT takes only keyframes, so they are skipped (the first here)`,
        { file, line: unkeyed[0] },
        'before-keyframe',
      );
    if (shapes.length === 0) return;
    // Merging and holding boxes before an outside one (holdBefore) take the keyframes in frame order.
    shapes.sort((a, b) => a.frame - b.frame);
    // The project's clip is its media's, which may go on past the task's frames even when they are its first ones.
    if (taskFrames) endWithTask(shapes, taskFrames, fallbackSize?.frameCount ?? frameCount);
    const trackExtra = leftovers(trackXml, ['id', 'label'], ['box', ...OTHER_SHAPES]);
    // Without a track_id, the CVAT track's own id names the person (unless another track took it).
    const ownId = /^\d+$/.test(cvatId) && Number.isSafeInteger(Number(cvatId)) ? Number(cvatId) : -1;
    const track: AnnotationTrack = { id: personId ?? ownId, shapes, ...(trackExtra ? { extra: trackExtra } : {}) };
    if (personId === null) unidentified.push(track);
    else mergeInto(byPerson, personId, track, problems, where);
  });
  const ids = new TrackIds([...byPerson.keys(), ...unidentified.map((track) => track.id)]);
  const taken = new Set(byPerson.keys());
  const tracks = [...byPerson.values()];
  for (const track of unidentified) {
    const id = track.id >= 0 && !taken.has(track.id) ? track.id : ids.next();
    taken.add(id);
    tracks.push({ ...track, id });
  }
  // Tags of whole frames sit beside the tracks.
  const tags = children(root, 'tag');
  const holders = tags.length ? [...keptTracks, { tag: tags }] : keptTracks;
  const cvatShapes = keptShapes(root, { tracks: keptTracks, ...(tags.length ? { tags } : {}) }, holders, problems, file, 'CVAT for video');
  reportUndeclared({ ...root, track: tracksXml.filter((track) => !refused.has(track)) }, content, problems, file);
  const extra = { ...(taskFrames ? { cvatTask: taskFrames } : {}), ...(cvatShapes ? { cvatShapes } : {}) };
  return {
    format: 'cvat-video',
    width,
    height,
    frameCount,
    // The frames of a video have no names of their own: the project names them.
    frameNames: [],
    tracks: tracks.sort((a, b) => a.id - b.id),
    readBoxes: [],
    trackLabelsAt: labelsAt,
    ...(Object.keys(extra).length ? { extra } : {}),
    problems,
  };
}

/**
 * Shapes kept as read, with the label declarations they need, said in the report; undefined when there
 * are none. `holders` are the tracks, images and top-level tags that hold them.
 */
function keptShapes(root: XmlNode, shapes: CvatShapes, holders: XmlNode[], problems: ProblemList, file: string, format: string): CvatShapes | undefined {
  if (holders.length === 0) return undefined;
  // A track's label, and those of the shapes (and a skeleton's points) it or an image holds; not the image's boxes'.
  const used = labelUses(
    holders.map((holder) => ({ $: attributes(holder), ...otherShapes(holder) })),
    'track',
  );
  // The file's declarations, with their parts (a skeleton's points name it as <parent>); and for labels
  // it left undeclared, declarations of our own, so that CVAT takes the export.
  const declared = declaredLabels(root);
  const names = new Set(declared.map((label) => text(label.name)));
  const labels = [
    ...declared.filter((label) => used.has(text(label.name)) || used.has(text(label.parent))),
    ...[...used].filter(([name]) => !names.has(name)).map(([name, { type }]) => ({ name, color: DEFAULT_COLOR, type, attributes: '' })),
  ];
  problems.warning(`${countShapes(holders)} shapes are kept as they are, not shown, and written back on export to ${format}`, { file }, 'kept-shapes');
  return { ...shapes, ...(labels.length ? { labels } : {}) };
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
  existing.shapes = [...byFrame.values()].sort((a, b) => a.frame - b.frame);
}

/**
 * `imageSizes`: the project's images' own sizes, by frame, when its media is a folder of images; each
 * image's boxes are checked against it. Otherwise each <image> has the size it declares.
 */
export function readCvatImages(content: string, file: string, mediaFrames?: number, imageSizes?: FrameSize[]): ReadResult {
  const problems = new ProblemList();
  const root = parseCvat(content, file);
  const images = children(root, 'image');
  const imageLines = tagLines(content, 'image');
  const boxLines = tagLines(content, 'box');
  const task = taskInfo(root, content, problems, file);
  const fileFrames = images.map((image) => number(attributes(image).id ?? '')).filter(Number.isInteger);
  const taskFrames = projectFramesOf(root, content, problems, file, fileFrames, mediaFrames);
  let boxIndex = 0;
  // Each image's own size: collections of photos differ from one image to the next.
  const declared = images.map((image, index) => {
    const a = attributes(image);
    const where = { file, line: imageLines[index] };
    return headerSize(a.width ?? '', a.height ?? '', 'the image', problems, where);
  });
  const firstWhere = { file, line: imageLines[0] };
  const width = declared[0]?.width ?? task.width;
  const height = declared[0]?.height ?? task.height;
  if (!width || !height) throw new WorkbenchError('invalid-annotations', `${file} gives no image size`, whereIn(file, firstWhere.line));
  const sizes: FrameSize[] = [];

  const readBoxes: ReadBox[] = [];
  const frameNames: string[] = [];
  const frames: Record<string, FormatExtra> = {};
  const shapeFrames: Record<string, Record<string, unknown>> = {};
  const holders: XmlNode[] = [];
  // The line of the image that took each frame, for an image that repeats its id.
  const seen = new Map<number, number | undefined>();
  images.forEach((image, index) => {
    const a = attributes(image);
    const where = { file, line: imageLines[index] };
    const boxes = children(image, 'box');
    const skip = (why?: string) => {
      if (why) problems.error(`${why}; its boxes are skipped`, where, 'image-id');
      boxIndex += boxes.length;
    };
    if (a.id === undefined) return skip('the image has no id attribute');
    const frame = mappedFrame(taskFrames, a.id, problems, where, `<image id="${shown(a.id)}">`);
    // mappedFrame has said why.
    if (frame === null) return skip();
    if (!Number.isInteger(frame) || frame < 0 || frame >= MAX_FRAMES)
      return skip(`<image id="${shown(a.id)}"> is not a frame number from 0 to ${MAX_FRAMES - 1}`);
    if (seen.has(frame)) return skip(`<image id="${shown(a.id)}"> repeats the id of the image at line ${seen.get(frame)}`);
    seen.set(frame, where.line);
    frameNames[frame] = a.name ?? `frame_${String(frame).padStart(6, '0')}.jpg`;
    const own = imageSizes?.[frame] ?? declared[index] ?? { width, height };
    const given = declared[index];
    if (given && (given.width !== own.width || given.height !== own.height)) {
      problems.warning(
        `image ${shown(a.name ?? String(frame))} is ${given.width}x${given.height} here, but the project's image is ${own.width}x${own.height}; its boxes are checked against the project's image`,
        where,
        'size-differs',
      );
    }
    sizes[frame] = own;
    const imageExtra = leftovers(image, ['id', 'name', 'width', 'height'], ['box', ...OTHER_SHAPES]);
    if (imageExtra) frames[frame] = imageExtra;
    const shapes = otherShapes(image);
    if (shapes) {
      shapeFrames[frame] = shapes;
      holders.push(image);
    }
    for (const box of boxes) {
      const boxWhere = { file, line: boxLines[boxIndex++] };
      const b = attributes(box);
      const label = b.label ?? '';
      const geometry = boxGeometry(b, own.width, own.height, problems, boxWhere);
      if (!geometry || !checkLabel(label, problems, boxWhere)) continue;
      const { attributes: values, trackId } = boxAttributes(box);
      const extra = leftovers(box, BOX_ATTRIBUTES, ['attribute']);
      readBoxes.push({
        trackId: trackIdOf(trackId, problems, boxWhere, 'the box is linked by position instead'),
        box: {
          frame,
          ...geometry,
          label,
          occluded: flagOf(b, 'occluded', problems, boxWhere),
          truncated: false,
          keyframe: true,
          zOrder: zOrderOf(b.z_order, problems, boxWhere),
          ...(Object.keys(values).length ? { attributes: values } : {}),
          ...(extra ? { extra } : {}),
        },
        ...boxWhere,
      });
    }
  });
  const frameCount = Math.max(taskFrames ? mappedFrameCount(taskFrames, mediaFrames) : (task.size ?? 0), frameNames.length);
  for (let frame = 0; frame < frameCount; frame++) frameNames[frame] ??= `frame_${String(frame).padStart(6, '0')}.jpg`;
  const cvatShapes = keptShapes(root, { frames: shapeFrames }, holders, problems, file, 'CVAT for images');
  reportUndeclared(root, content, problems, file);
  const extra = {
    ...(Object.keys(frames).length ? { frames } : {}),
    ...(taskFrames ? { cvatTask: taskFrames } : {}),
    ...(cvatShapes ? { cvatShapes } : {}),
  };
  const frameSizes = distinctSizes(Array.from({ length: frameCount }, (_, frame) => sizes[frame] ?? imageSizes?.[frame] ?? { width, height }));
  return {
    format: 'cvat-images',
    width,
    height,
    ...(frameSizes ? { frameSizes } : {}),
    frameCount,
    frameNames,
    tracks: [],
    readBoxes,
    ...(Object.keys(extra).length ? { extra } : {}),
    problems,
  };
}
