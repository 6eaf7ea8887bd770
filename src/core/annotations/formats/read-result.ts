import type { AnnotationFormat, AnnotationTrack, ProjectAnnotations, TrackBox } from '../../../shared/annotations';
import type { ProblemList } from '../problems';

/** A box of a per-frame format, with the person's id when the file carries one (`track_id`). */
export interface ReadBox {
  trackId: number | null;
  box: TrackBox;
  /** Where it was read, for problems found later (linking, label mapping). */
  file: string;
  line?: number;
}

/** What a reader found, before labels are mapped and boxes linked into tracks. */
export interface ReadResult {
  format: AnnotationFormat;
  width: number;
  height: number;
  frameCount: number;
  frameNames: string[];
  /** Tracks with identities (CVAT for video). */
  tracks: AnnotationTrack[];
  /** Boxes listed frame by frame (Pascal VOC, CVAT for images). */
  readBoxes: ReadBox[];
  extra?: ProjectAnnotations['extra'];
  problems: ProblemList;
}

/** Reads a number attribute or element; NaN when it is not one. */
export function number(value: string): number {
  return value.trim() === '' ? Number.NaN : Number(value);
}

/** Checks a box against the frame: refuses one that is empty or wholly outside, clips one that sticks out. */
export function checkBox(
  box: { xtl: number; ytl: number; xbr: number; ybr: number },
  width: number,
  height: number,
  problems: ProblemList,
  where: { file: string; line?: number },
): { xtl: number; ytl: number; xbr: number; ybr: number } | null {
  const values = [box.xtl, box.ytl, box.xbr, box.ybr];
  if (values.some((value) => !Number.isFinite(value))) {
    problems.error('a box coordinate is not a number; the box is skipped', where, 'bad-number');
    return null;
  }
  if (box.xbr <= box.xtl || box.ybr <= box.ytl) {
    problems.error(`the box has ${box.xbr <= box.xtl ? 'xmax <= xmin' : 'ymax <= ymin'} (${values.join(', ')}); it is skipped`, where, 'empty-box');
    return null;
  }
  if (box.xbr <= 0 || box.ybr <= 0 || box.xtl >= width || box.ytl >= height) {
    problems.error(`the box (${values.join(', ')}) lies wholly outside the ${width}x${height} frame; it is skipped`, where, 'outside-box');
    return null;
  }
  // Annotation tools round; a pixel over the edge is not worth a word.
  const tolerance = 1;
  if (box.xtl < -tolerance || box.ytl < -tolerance || box.xbr > width + tolerance || box.ybr > height + tolerance) {
    problems.warning(`the box (${values.join(', ')}) sticks out of the ${width}x${height} frame; it is clipped to it`, where, 'clipped-box');
  }
  return { xtl: Math.max(0, box.xtl), ytl: Math.max(0, box.ytl), xbr: Math.min(width, box.xbr), ybr: Math.min(height, box.ybr) };
}
