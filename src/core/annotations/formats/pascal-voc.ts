import type { AnnotationSet } from '../../../shared/annotations';
import type { FrameBox } from './frame-boxes';
import { coordinate, escapeXml } from './xml-text';

/** The XML file name of a frame: its image name with .xml, as Pascal VOC pairs them. */
export function vocFileName(frameName: string): string {
  return frameName.replace(/\.[^.]+$/, '') + '.xml';
}

/**
 * One Pascal VOC annotation file for one frame. Occlusion and the person's identity go in
 * <attributes>, where CVAT's VOC export puts them.
 */
export function writeVocFrame(set: AnnotationSet, frame: number, boxes: FrameBox[], folder: string): string {
  const objects = boxes.map(
    ({ trackId, box }) => `  <object>
    <name>${escapeXml(box.label)}</name>
    <pose>Unspecified</pose>
    <truncated>${box.truncated ? 1 : 0}</truncated>
    <difficult>0</difficult>
    <bndbox>
      <xmin>${coordinate(box.xtl)}</xmin>
      <ymin>${coordinate(box.ytl)}</ymin>
      <xmax>${coordinate(box.xbr)}</xmax>
      <ymax>${coordinate(box.ybr)}</ymax>
    </bndbox>
    <attributes>
      <attribute>
        <name>occluded</name>
        <value>${box.occluded}</value>
      </attribute>
      <attribute>
        <name>track_id</name>
        <value>${trackId}</value>
      </attribute>
    </attributes>
  </object>`,
  );
  return `<annotation>
  <folder>${escapeXml(folder)}</folder>
  <filename>${escapeXml(set.frameNames[frame]!)}</filename>
  <source>
    <database>Maskbench</database>
  </source>
  <size>
    <width>${set.width}</width>
    <height>${set.height}</height>
    <depth>3</depth>
  </size>
  <segmented>0</segmented>
${objects.join('\n')}
</annotation>
`;
}
