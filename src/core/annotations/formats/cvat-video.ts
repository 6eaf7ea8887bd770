import type { AnnotationSet, TrackBox } from '../../../shared/annotations';
import { DEFAULT_SOURCE, cvatBoxAttributes, cvatBoxXmlAttributes } from './cvat-box';
import { cvatMeta, type CvatTaskInfo } from './cvat-meta';
import { taskView } from './cvat-task-frames';
import { XML_DECLARATION, escapeXml, keptElements, xmlAttributes } from './xml-text';

/**
 * CVAT for video 1.1. A CVAT track has one label, so a person whose label changes (or who leaves the view
 * and returns) becomes one CVAT track per run, each closed by an `outside` box and all carrying the
 * person's `track_id`. Every frame's box is written, non-keyframes with their interpolated values, as CVAT does:
 * of a task made from part of a video, only the task's frames, numbered as the video's. Tracks of other
 * shapes and tags of whole frames kept from an import follow, as they were read.
 */
export function writeCvatVideo(projectSet: AnnotationSet, task: Omit<CvatTaskInfo, 'mode'>): string {
  const { set, range, fileFrame } = taskView(projectSet);
  const tracks: string[] = [];
  let cvatId = 0;
  for (const track of set.tracks) {
    const runs = labelRuns(track.boxes);
    runs.forEach((run, index) => {
      const last = run.at(-1)!;
      const closed = last.frame + 1 < set.frameCount;
      // A run cut by a label change keeps its last box as a keyframe: CVAT holds the box before an outside
      // one, where Maskbench interpolated toward the next label's. Before the view is left, both hold it.
      const relabelled = runs[index + 1]?.[0]?.frame === last.frame + 1;
      const lines = run.map((box) => boxXml(relabelled && box === last ? { ...box, keyframe: true } : box, false, track.id, fileFrame));
      // Close the run where the person leaves the view or changes label, unless the clip ends first.
      if (closed) lines.push(boxXml({ ...last, frame: last.frame + 1, keyframe: true }, true, track.id, fileFrame));
      const kept = xmlAttributes({ source: DEFAULT_SOURCE, ...track.extra?.xmlAttributes });
      const elements = keptElements(track.extra?.elements, '    ');
      tracks.push(`  <track id="${cvatId++}" label="${escapeXml(run[0]!.label)}"${kept}>\n${lines.join('')}${elements}  </track>`);
    });
  }
  // Kept tracks take the ids after the boxes' tracks, so no two share one.
  for (const kept of set.extra?.cvatShapes?.tracks ?? [])
    tracks.push(keptElements({ track: { ...kept, $: { id: String(cvatId++), ...(kept.$ as object) } } }, '  ').trimEnd());
  // Tags of whole frames follow the tracks, as CVAT writes them.
  const tags = set.extra?.cvatShapes?.tags;
  if (tags) tracks.push(keptElements({ tag: tags }, '  ').trimEnd());
  return `${XML_DECLARATION}<annotations>\n  <version>1.1</version>\n${cvatMeta(set, { ...task, mode: 'interpolation' }, range)}\n${tracks.join('\n')}\n</annotations>\n`;
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

function boxXml(box: TrackBox, outside: boolean, trackId: number, fileFrame: (frame: number) => number): string {
  return `    <box frame="${fileFrame(box.frame)}" keyframe="${box.keyframe ? 1 : 0}" outside="${outside ? 1 : 0}" ${cvatBoxXmlAttributes(box, false)}>\n${cvatBoxAttributes(box, trackId, '      ')}    </box>\n`;
}
