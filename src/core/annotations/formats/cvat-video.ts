import type { AnnotationSet, TrackBox } from '../../../shared/annotations';
import { DEFAULT_SOURCE, cvatBoxAttributes, cvatBoxXmlAttributes } from './cvat-box';
import { cvatMeta, type CvatTaskInfo } from './cvat-meta';
import { XML_DECLARATION, escapeXml, xmlAttributes } from './xml-text';

/**
 * CVAT for video 1.1. A CVAT track has one label, so a person whose label changes (or who leaves the view
 * and returns) becomes one CVAT track per run, each closed by an `outside` box and all carrying the
 * person's `track_id`. Every frame's box is written, non-keyframes with their interpolated values, as CVAT does.
 */
export function writeCvatVideo(set: AnnotationSet, task: Omit<CvatTaskInfo, 'mode'>): string {
  const tracks: string[] = [];
  let cvatId = 0;
  for (const track of set.tracks) {
    for (const run of labelRuns(track.boxes)) {
      const last = run.at(-1)!;
      // A run that closes before the clip ends keeps its last box as a keyframe, so the box held before
      // the outside one is exactly the one listed, in CVAT and in Maskbench.
      const closed = last.frame + 1 < set.frameCount;
      const lines = run.map((box) => boxXml(closed && box === last ? { ...box, keyframe: true } : box, false, track.id));
      // Close the run where the person leaves the view or changes label, unless the clip ends first.
      if (closed) lines.push(boxXml({ ...last, frame: last.frame + 1, keyframe: true }, true, track.id));
      const kept = xmlAttributes({ source: DEFAULT_SOURCE, ...track.extra?.xmlAttributes });
      tracks.push(`  <track id="${cvatId++}" label="${escapeXml(run[0]!.label)}"${kept}>\n${lines.join('')}  </track>`);
    }
  }
  return `${XML_DECLARATION}<annotations>\n  <version>1.1</version>\n${cvatMeta(set, { ...task, mode: 'interpolation' })}\n${tracks.join('\n')}\n</annotations>\n`;
}

/** Runs of consecutive frames with the same label: each becomes one CVAT track. */
function labelRuns(boxes: TrackBox[]): TrackBox[][] {
  const runs: TrackBox[][] = [];
  for (const box of boxes) {
    const previous = runs.at(-1)?.at(-1);
    if (previous && previous.label === box.label && previous.frame + 1 === box.frame) runs.at(-1)!.push(box);
    else runs.push([box]);
  }
  return runs;
}

function boxXml(box: TrackBox, outside: boolean, trackId: number): string {
  return `    <box frame="${box.frame}" keyframe="${box.keyframe ? 1 : 0}" outside="${outside ? 1 : 0}" ${cvatBoxXmlAttributes(box, false)}>\n${cvatBoxAttributes(box, trackId, '      ')}    </box>\n`;
}
