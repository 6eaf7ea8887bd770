// Pascal VOC: a folder of one XML file per frame or image.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkbenchError } from '../../../shared/errors';
import { MAX_FRAME_SIDE, MAX_FRAMES } from '../../../shared/project';
import { ProblemList } from '../problems';
import { VOC_FOLDER } from './pascal-voc';
import { checkBox, checkLabel, headerNumber, number, shown, trackIdOf, type ReadBox, type ReadResult } from './read-result';
import { children, firstTagLine, leftovers, parseXml, readXmlFile, tagLines, text, whereIn, type XmlNode } from './xml-source';

const KNOWN_FILE_CHILDREN = ['folder', 'filename', 'path', 'source', 'size', 'segmented', 'object'];
const KNOWN_OBJECT_CHILDREN = ['name', 'pose', 'truncated', 'difficult', 'occluded', 'bndbox', 'attributes'];

export interface VocOptions {
  /** The project's frame file names, when its media is a folder of frames: files are matched to them by <filename>. */
  frameNames?: string[];
  /** The project's frame size, used when files leave out <size>. */
  size?: { width: number; height: number };
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
      problems.error(`${(error as Error).message}; its boxes are skipped`, where, 'bad-file');
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
  const first = parsed[0]!;
  const firstSize = (first.doc.size ?? {}) as XmlNode;
  const sizeWhere = { file: first.file, line: firstTagLine(first.text, 'size') };
  const width = headerNumber(text(firstSize.width), MAX_FRAME_SIDE, 'the <size> width', problems, sizeWhere) ?? options.size?.width;
  const height = headerNumber(text(firstSize.height), MAX_FRAME_SIDE, 'the <size> height', problems, sizeWhere) ?? options.size?.height;
  if (!width || !height)
    throw new WorkbenchError(
      'invalid-annotations',
      `${first.file} gives no frame <size>, and the project has no video to take it from`,
      whereIn(first.file, sizeWhere.line),
    );

  const readBoxes: ReadBox[] = [];
  const frameExtras: Record<string, { elements?: Record<string, unknown> }> = {};
  let frameCount = 0;
  for (const { file, doc, text: content } of parsed) {
    const frame = frameOf.get(file);
    if (frame === undefined) continue;
    frameCount = Math.max(frameCount, frame + 1);
    const size = doc.size as XmlNode | undefined;
    if (size && (number(text(size.width)) !== width || number(text(size.height)) !== height)) {
      problems.warning(
        `the frame size ${shown(text(size.width))}x${shown(text(size.height))} differs from ${width}x${height} in the other files`,
        { file },
        'size-differs',
      );
    }
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
  return {
    format: 'voc',
    width,
    height,
    frameCount,
    frameNames: frameNamesOf(parsed, frameOf, frameCount),
    tracks: [],
    readBoxes,
    extra: Object.keys(frameExtras).length ? { frames: frameExtras } : undefined,
    problems,
  };
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
    { xtl: number(text(bndbox.xmin)), ytl: number(text(bndbox.ymin)), xbr: number(text(bndbox.xmax)), ybr: number(text(bndbox.ymax)) },
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
