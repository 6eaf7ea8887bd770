// Pascal VOC: a folder of one XML file per frame or image.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FrameSize } from '../../../shared/annotations';
import { WorkbenchError } from '../../../shared/errors';
import { distinctSizes } from '../../../shared/frame-sizes';
import { MAX_FRAMES } from '../../../shared/project';
import { ProblemList } from '../problems';
import { VOC_FOLDER } from './pascal-voc';
import { checkBox, checkLabel, headerSize, shown, trackIdOf, type ReadBox, type ReadResult } from './read-result';
import { children, firstTagLine, leftovers, parseXml, readXmlFile, tagLines, text, whereIn, type XmlNode } from './xml-source';

const KNOWN_FILE_CHILDREN = ['folder', 'filename', 'path', 'source', 'size', 'segmented', 'object'];
// An <occluded> element is kept among the object's elements, so that an export writes it back (with the box's flag).
const KNOWN_OBJECT_CHILDREN = ['name', 'pose', 'truncated', 'difficult', 'bndbox', 'attributes'];

export interface VocOptions {
  /** The project's frame file names, when its media is a folder of frames: files are matched to them by <filename>. */
  frameNames?: string[];
  /** The project's images' own sizes, by frame, when its media is a folder of images: each file's boxes are checked against its image. */
  frameSizes?: FrameSize[];
  /** The project's one frame size (a video's): every file's boxes are checked against it. */
  size?: FrameSize;
}

export async function readVoc(folder: string, options: VocOptions = {}): Promise<ReadResult> {
  const problems = new ProblemList();
  const files = (await readdir(folder)).filter((name) => name.toLowerCase().endsWith('.xml')).sort(naturalOrder);
  if (files.length === 0)
    throw new WorkbenchError('invalid-annotations', `${folder} holds no .xml files: a Pascal VOC folder has one per frame`, whereIn(folder));

  const parsed: { file: string; doc: XmlNode; text: string }[] = [];
  for (const name of files) {
    const file = join(folder, name);
    try {
      const content = await readXmlFile(file);
      const root = parseXml(content, file).annotation;
      if (!root || typeof root !== 'object') throw new WorkbenchError('invalid-annotations', `${file} has no <annotation> element`, whereIn(file));
      parsed.push({ file, doc: root as XmlNode, text: content });
    } catch (error) {
      // One broken file costs its own boxes, not the folder's.
      const where = (error as WorkbenchError).where ?? { file };
      problems.error(`${(error as Error).message.replace(/\.$/, '')}; its boxes are skipped`, where, 'bad-file');
    }
  }
  if (parsed.length === 0) throw new WorkbenchError('invalid-annotations', `None of the ${files.length} XML files in ${folder} could be read`, whereIn(folder));

  const frameOf = frameMatcher(
    parsed.map((entry) => ({
      file: entry.file,
      name:
        text(entry.doc.filename) ||
        entry.file
          .split(/[\\/]/)
          .pop()!
          .replace(/\.xml$/i, ''),
    })),
    options.frameNames,
    problems,
  );
  const sizes = new FrameSizes(parsed, options, problems);
  const readBoxes: ReadBox[] = [];
  const frameExtras: Record<string, { elements?: Record<string, unknown> }> = {};
  let frameCount = 0;
  for (const { file, doc, text: content } of parsed) {
    const frame = frameOf.get(file);
    if (frame === undefined) continue;
    frameCount = Math.max(frameCount, frame + 1);
    const { width, height } = sizes.of(frame, file, doc, content);
    const rest = leftovers(doc, [], KNOWN_FILE_CHILDREN);
    // The folder is kept only when it is not the one the writer uses anyway.
    const folderName = text(doc.folder);
    const keptFolder = folderName && folderName !== VOC_FOLDER ? { folder: folderName } : {};
    if (rest?.elements || keptFolder.folder) frameExtras[frame] = { elements: { ...keptFolder, ...rest?.elements } };
    const lines = tagLines(content, 'object');
    children(doc, 'object').forEach((object, index) => {
      const where = { file, line: lines[index] };
      const read = readObject(object, frame, width, height, problems, where);
      if (read) readBoxes.push({ ...read, ...where });
    });
  }
  const frameSizes = sizes.list(frameCount);
  const distinct = distinctSizes(frameSizes);
  return {
    format: 'voc',
    // With no file matched to a frame there is no first frame; the sizes read still stand for all.
    ...(frameSizes[0] ?? sizes.fallback),
    ...(distinct ? { frameSizes: distinct } : {}),
    frameCount,
    frameNames: frameNamesOf(parsed, frameOf, frameCount),
    tracks: [],
    readBoxes,
    extra: Object.keys(frameExtras).length ? { frames: frameExtras } : undefined,
    problems,
  };
}

/** An element's text, or undefined when it is missing. */
function given(element: unknown): string | undefined {
  return element === undefined ? undefined : text(element);
}

function readObject(
  object: XmlNode,
  frame: number,
  width: number,
  height: number,
  problems: ProblemList,
  where: { file: string; line: number | undefined },
): Omit<ReadBox, 'file' | 'line'> | null {
  const label = text(object.name);
  if (!checkLabel(label, problems, where)) return null;
  const bndbox = (object.bndbox ?? {}) as XmlNode;
  const geometry = checkBox(
    { xtl: given(bndbox.xmin), ytl: given(bndbox.ymin), xbr: given(bndbox.xmax), ybr: given(bndbox.ymax) },
    'voc',
    width,
    height,
    problems,
    where,
  );
  if (!geometry) return null;
  // CVAT's VOC export puts its attributes (occluded, track_id, any others) in <attributes>; a Map, as their names come from the file.
  const attributes = new Map(children((object.attributes ?? {}) as XmlNode, 'attribute').map((attribute) => [text(attribute.name), text(attribute.value)]));
  const trackId = trackIdOf(attributes.get('track_id'), problems, where, 'the box is linked by position instead');
  const occludedText = attributes.get('occluded') ?? text(object.occluded);
  attributes.delete('track_id');
  attributes.delete('occluded');
  const extra = leftovers(object, [], KNOWN_OBJECT_CHILDREN);
  return {
    trackId,
    box: {
      frame,
      ...geometry,
      label,
      occluded: occludedText === 'true' || occludedText === '1',
      truncated: text(object.truncated) === '1',
      keyframe: true,
      zOrder: 0,
      ...(attributes.size ? { attributes: Object.fromEntries(attributes) } : {}),
      ...(object.pose !== undefined ? { pose: text(object.pose) } : {}),
      ...(object.difficult !== undefined ? { difficult: text(object.difficult) === '1' } : {}),
      ...(extra ? { extra } : {}),
    },
  };
}

/**
 * Which frame each file is: by <filename> among the project's frame files when it has them; otherwise by
 * the number in the name (frame_000123.jpg is frame 123; numbering that starts at 1 is taken as 1-based);
 * otherwise by order.
 */
function frameMatcher(entries: { file: string; name: string }[], frameNames: string[] | undefined, problems: ProblemList): Map<string, number> {
  const frames = new Map<string, number>();
  if (frameNames) {
    const index = new Map(frameNames.map((name, i) => [name, i]));
    for (const { file, name } of entries) {
      const frame = index.get(name) ?? index.get(name.replace(/\.[^.]+$/, '') + '.jpg');
      if (frame === undefined) problems.error(`<filename>${name}</filename> matches no frame of the project; its boxes are skipped`, { file }, 'no-frame');
      else frames.set(file, frame);
    }
    return frames;
  }
  const numbers = entries.map(({ name }) => /(\d+)(?!.*\d)/.exec(name)?.[1]);
  const unique = new Set(numbers);
  if (numbers.every((value) => value !== undefined) && unique.size === numbers.length) {
    const smallest = numbers.reduce((low, value) => Math.min(low, Number(value)), Infinity);
    const offset = smallest === 1 ? 1 : 0;
    entries.forEach(({ file }, i) => {
      const frame = Number(numbers[i]) - offset;
      if (frame < MAX_FRAMES) frames.set(file, frame);
      else
        problems.error(
          `the name gives frame ${shown(numbers[i]!)}, beyond the ${MAX_FRAMES} frames a project holds; its boxes are skipped`,
          { file },
          'frame-range',
        );
    });
    if (offset) problems.warning(`the file names number frames from 1, so ${entries[0]!.name} is taken as frame 0`, {}, 'frame-offset');
    return frames;
  }
  problems.warning('the file names carry no distinct frame numbers, so frames follow the files in name order', {}, 'frame-order');
  entries.forEach(({ file }, i) => frames.set(file, i));
  return frames;
}

function frameNamesOf(parsed: { file: string; doc: XmlNode }[], frameOf: Map<string, number>, frameCount: number): string[] {
  const names = Array.from({ length: frameCount }, (_, frame) => `frame_${String(frame).padStart(6, '0')}.jpg`);
  for (const { file, doc } of parsed) {
    const frame = frameOf.get(file);
    if (frame !== undefined && text(doc.filename)) names[frame] = text(doc.filename);
  }
  return names;
}

function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/**
 * The size each file's boxes are checked against: its image's own (a project's folder of images), the
 * project's one frame size (a video), or else the file's own <size>, so that a collection of photos of
 * different sizes keeps each one's. A <size> that disagrees with the project's media is reported.
 */
class FrameSizes {
  private readonly byFrame: FrameSize[] = [];
  /** Each file's <size> as read, so that a bad one is reported once. */
  private readonly declaredIn = new Map<string, FrameSize | undefined>();
  /** For files without a <size> and frames without a file, when the project gives no size. */
  readonly fallback: FrameSize;

  constructor(
    parsed: { file: string; doc: XmlNode; text: string }[],
    private readonly options: VocOptions,
    private readonly problems: ProblemList,
  ) {
    let given = options.size ?? options.frameSizes?.[0];
    for (const entry of parsed) given ??= this.declared(entry.file, entry.doc, entry.text);
    if (!given)
      throw new WorkbenchError('invalid-annotations', `${parsed[0]!.file} gives no frame <size>, and the project has no media to take it from`, {
        file: parsed[0]!.file,
        field: 'size',
      });
    this.fallback = given;
  }

  /** Frame `frame`'s size, read from `file`'s <size> unless the project's media says it. */
  of(frame: number, file: string, doc: XmlNode, content: string): FrameSize {
    const declared = this.declared(file, doc, content);
    const image = this.options.frameSizes?.[frame];
    const own = image ?? this.options.size ?? declared ?? this.fallback;
    if (declared && (declared.width !== own.width || declared.height !== own.height)) {
      const where = { file, line: firstTagLine(content, 'size') };
      // The image itself is at hand, so a stale <size> costs nothing; a video of another size means the boxes may be for other footage.
      if (image)
        this.problems.warning(
          `its <size> ${declared.width}x${declared.height} differs from its image's own ${own.width}x${own.height}; the boxes are checked against the image`,
          where,
          'size-differs',
        );
      else
        this.problems.error(
          `the file is for ${declared.width}x${declared.height} frames but the project's video is ${own.width}x${own.height}; boxes are not rescaled`,
          where,
          'size',
        );
    }
    this.byFrame[frame] = own;
    return own;
  }

  /** Every frame's size, frames without a file taking the project's (or the first file's). */
  list(frameCount: number): FrameSize[] {
    return Array.from({ length: frameCount }, (_, frame) => this.byFrame[frame] ?? this.options.frameSizes?.[frame] ?? this.fallback);
  }

  /** The file's <size>, or undefined when it gives none (a bad one is reported by headerSize). */
  private declared(file: string, doc: XmlNode, content: string): FrameSize | undefined {
    if (this.declaredIn.has(file)) return this.declaredIn.get(file);
    const size = (doc.size ?? {}) as XmlNode;
    const where = { file, line: firstTagLine(content, 'size') };
    const declared = headerSize(text(size.width), text(size.height), 'the <size>', this.problems, where);
    this.declaredIn.set(file, declared);
    return declared;
  }
}
