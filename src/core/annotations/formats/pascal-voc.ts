import type { AnnotationSet } from '../../../shared/annotations';
import { frameSize } from '../../../shared/frame-sizes';
import type { FrameBox } from './frame-boxes';
import { escapeXml, exactCoordinate, keptElements } from './xml-text';

/** The <folder> written when the annotations kept none of their own. */
export const VOC_FOLDER = 'frames';

/**
 * The XML file name of a frame: its image name with .xml, as Pascal VOC pairs them. Only the name, cut
 * to what file systems take: a frame name read from a file may hold folders, "..", or anything else.
 */
export function vocFileName(frameName: string): string {
  let stem = frameName
    .split(/[\\/]/)
    .pop()!
    .replace(/[\p{Cc}<>:"|?*]/gu, '_')
    .replace(/\.[^.]+$/, '')
    .slice(0, 200);
  while (Buffer.byteLength(stem) > 200) stem = stem.slice(0, -1);
  return (/^\.*$/.test(stem) ? 'frame' : stem) + '.xml';
}

/**
 * One Pascal VOC annotation file for one frame. Occlusion, the person's identity and other attributes
 * go in <attributes>, where CVAT's VOC export puts them; elements kept from an import are written back.
 */
export function writeVocFrame(set: AnnotationSet, frame: number, boxes: FrameBox[]): string {
  const { folder: keptFolder, ...fileElements } = (set.extra?.frames?.[frame]?.elements ?? {}) as Record<string, unknown>;
  const objects = boxes.map(({ trackId, box }) => {
    // A file's own <occluded> element goes back as the box's flag now is.
    const { occluded: occludedElement, ...elements } = box.extra?.elements ?? {};
    const attributes = { occluded: String(box.occluded), track_id: String(trackId), ...box.attributes };
    const attributeXml = Object.entries(attributes)
      .map(([name, value]) => `      <attribute>\n        <name>${escapeXml(name)}</name>\n        <value>${escapeXml(value)}</value>\n      </attribute>\n`)
      .join('');
    return `  <object>
    <name>${escapeXml(box.label)}</name>
    <pose>${escapeXml(box.pose ?? 'Unspecified')}</pose>
${occludedElement !== undefined ? `    <occluded>${box.occluded ? 1 : 0}</occluded>\n` : ''}    <truncated>${box.truncated ? 1 : 0}</truncated>
    <difficult>${box.difficult ? 1 : 0}</difficult>
    <bndbox>
      <xmin>${exactCoordinate(box.xtl)}</xmin>
      <ymin>${exactCoordinate(box.ytl)}</ymin>
      <xmax>${exactCoordinate(box.xbr)}</xmax>
      <ymax>${exactCoordinate(box.ybr)}</ymax>
    </bndbox>
    <attributes>
${attributeXml}    </attributes>
${keptElements(elements, '    ')}  </object>
`;
  });
  const { width, height } = frameSize(set, frame);
  return `<annotation>
  <folder>${escapeXml(typeof keptFolder === 'string' ? keptFolder : VOC_FOLDER)}</folder>
  <filename>${escapeXml(set.frameNames[frame]!)}</filename>
  <source>
    <database>Maskbench</database>
  </source>
  <size>
    <width>${width}</width>
    <height>${height}</height>
    <depth>3</depth>
  </size>
  <segmented>0</segmented>
${keptElements(fileElements, '  ')}${objects.join('')}</annotation>
`;
}
