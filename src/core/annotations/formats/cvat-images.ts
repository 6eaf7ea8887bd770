import type { AnnotationSet } from '../../../shared/annotations';
import { cvatBoxAttributes, cvatBoxXmlAttributes } from './cvat-box';
import { cvatMeta, type CvatTaskInfo } from './cvat-meta';
import { boxesByFrame } from './frame-boxes';
import { XML_DECLARATION, escapeXml, xmlAttributes } from './xml-text';

/** CVAT for images 1.1: one <image> per frame with its boxes; identities as the `track_id` attribute. */
export function writeCvatImages(set: AnnotationSet, task: Omit<CvatTaskInfo, 'mode' | 'source'>): string {
  const images = boxesByFrame(set).map((boxes, frame) => {
    const lines = boxes.map(
      ({ trackId, box }) =>
        `    <box label="${escapeXml(box.label)}" ${cvatBoxXmlAttributes(box, true)}>\n${cvatBoxAttributes(box, trackId, '      ')}    </box>\n`,
    );
    const kept = xmlAttributes(set.extra?.frames?.[frame]?.xmlAttributes);
    return `  <image id="${frame}" name="${escapeXml(set.frameNames[frame]!)}" width="${set.width}" height="${set.height}"${kept}>\n${lines.join('')}  </image>`;
  });
  return `${XML_DECLARATION}<annotations>\n  <version>1.1</version>\n${cvatMeta(set, { ...task, mode: 'annotation' })}\n${images.join('\n')}\n</annotations>\n`;
}
