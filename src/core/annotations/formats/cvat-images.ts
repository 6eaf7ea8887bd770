import type { AnnotationSet } from '../../../shared/annotations';
import { cvatMeta, type CvatTaskInfo } from './cvat-meta';
import { boxesByFrame } from './frame-boxes';
import { XML_DECLARATION, coordinate, escapeXml } from './xml-text';

/** CVAT for images 1.1: one <image> per frame with its boxes; identities as the `track_id` attribute. */
export function writeCvatImages(set: AnnotationSet, task: Omit<CvatTaskInfo, 'mode' | 'source'>): string {
  const images = boxesByFrame(set).map((boxes, frame) => {
    const lines = boxes.map(
      ({ trackId, box }) =>
        `    <box label="${escapeXml(box.label)}" source="manual" occluded="${box.occluded ? 1 : 0}" ` +
        `xtl="${coordinate(box.xtl)}" ytl="${coordinate(box.ytl)}" xbr="${coordinate(box.xbr)}" ybr="${coordinate(box.ybr)}" z_order="${box.zOrder}">\n` +
        `      <attribute name="track_id">${trackId}</attribute>\n    </box>`,
    );
    const open = `  <image id="${frame}" name="${escapeXml(set.frameNames[frame]!)}" width="${set.width}" height="${set.height}"`;
    return lines.length ? `${open}>\n${lines.join('\n')}\n  </image>` : `${open}>\n  </image>`;
  });
  return `${XML_DECLARATION}<annotations>\n  <version>1.1</version>\n${cvatMeta(set, { ...task, mode: 'annotation' })}\n${images.join('\n')}\n</annotations>\n`;
}
