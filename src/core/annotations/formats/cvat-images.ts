import type { AnnotationSet } from '../../../shared/annotations';
import { frameSize } from '../../../shared/frame-sizes';
import { cvatBoxAttributes, cvatBoxXmlAttributes } from './cvat-box';
import { cvatMeta, type CvatTaskInfo } from './cvat-meta';
import { taskView } from './cvat-task-frames';
import { boxesByFrame } from './frame-boxes';
import { XML_DECLARATION, escapeXml, keptElements, xmlAttributes } from './xml-text';

/**
 * CVAT for images 1.1: one <image> per frame with its boxes, and the other shapes an import kept;
 * identities as the `track_id` attribute. Of a task made from part of a video, only the task's frames,
 * their ids the video's frame numbers.
 */
export function writeCvatImages(projectSet: AnnotationSet, task: Omit<CvatTaskInfo, 'mode' | 'source'>): string {
  const { set, range, fileFrame } = taskView(projectSet);
  const images = boxesByFrame(set).map((boxes, frame) => {
    const lines = boxes.map(
      ({ trackId, box }) =>
        `    <box label="${escapeXml(box.label)}" ${cvatBoxXmlAttributes(box, true)}>\n${cvatBoxAttributes(box, trackId, '      ')}    </box>\n`,
    );
    const kept = xmlAttributes(set.extra?.frames?.[frame]?.xmlAttributes);
    const shapes = keptElements(set.extra?.cvatShapes?.frames?.[frame], '    ');
    const { width, height } = frameSize(set, frame);
    return `  <image id="${fileFrame(frame)}" name="${escapeXml(set.frameNames[frame]!)}" width="${width}" height="${height}"${kept}>\n${lines.join('')}${shapes}  </image>`;
  });
  return `${XML_DECLARATION}<annotations>\n  <version>1.1</version>\n${cvatMeta(set, { ...task, mode: 'annotation' }, range)}\n${images.join('\n')}\n</annotations>\n`;
}
