// A CVAT task made from part of a video (start_frame, stop_frame, frame_filter step=N) numbers its boxes
// and images by the video's frames. The project's frames are either those same frames (its media is the
// whole video) or the task's frames one after another (its media is only what the task holds).

import type { AnnotationSet, BoxGeometry, CvatTaskFrames, TrackBox } from '../../../shared/annotations';
import { MAX_FRAMES } from '../../../shared/project';
import type { ProblemList } from '../problems';
import { number, shown } from './read-result';
import { firstTagLine, text, type XmlNode } from './xml-source';

/** The task's frames as a file declares them, before it is decided how they meet the project's. */
export type TaskRange = Omit<CvatTaskFrames, 'projectFrames'>;

/** How many frames the task holds. */
export function taskFrameCount(task: TaskRange): number {
  return Math.floor((task.stop - task.start) / task.step) + 1;
}

/** "10-19 step 3", as the report and errors name a task's frames. */
export function describeTask(task: TaskRange): string {
  return `${task.start}-${task.stop}${task.step > 1 ? ` step ${task.step}` : ''}`;
}

/**
 * The frames a file's <meta> declares, from its <job> (a job export: its own part of the task) or else
 * its <task>; null when they are the whole video from frame 0, which needs no mapping. Bad values are
 * reported by line and the frames taken as from 0, step 1.
 */
export function readTaskRange(root: XmlNode, content: string, problems: ProblemList, file: string): TaskRange | null {
  const meta = (root.meta ?? {}) as XmlNode;
  const job = meta.job as XmlNode | undefined;
  const task = (job && text(job.start_frame) !== '' ? job : (meta.task ?? job ?? {})) as XmlNode;
  const frame = (tag: string, fallback: number | undefined): number | undefined => {
    const value = text(task[tag]);
    if (value === '') return fallback;
    const read = number(value);
    if (Number.isInteger(read) && read >= 0 && read < MAX_FRAMES) return read;
    problems.error(
      `<${tag}> "${shown(value)}" is not a frame number from 0 to ${MAX_FRAMES - 1}; it is not used`,
      { file, line: firstTagLine(content, tag) },
      `bad-${tag}`,
    );
    return fallback;
  };
  const start = frame('start_frame', 0)!;
  const stepText = text(task.frame_filter);
  const stepMatch = /^step\s*=\s*(\d+)$/.exec(stepText);
  let step = stepText === '' ? 1 : Number(stepMatch?.[1]);
  if (!(Number.isInteger(step) && step >= 1 && step < MAX_FRAMES)) {
    problems.error(
      `<frame_filter> "${shown(stepText)}" is not "step=N" with N from 1 to ${MAX_FRAMES - 1}; every frame from the start frame is taken`,
      { file, line: firstTagLine(content, 'frame_filter') },
      'bad-frame_filter',
    );
    step = 1;
  }
  if (start === 0 && step === 1) return null;
  const size = number(text(task.size));
  // Without a stop frame, the task's size says where it ends (and without either, it ends at the last frame it may hold).
  const implied = Number.isInteger(size) && size >= 1 ? Math.min(start + (size - 1) * step, MAX_FRAMES - 1) : MAX_FRAMES - 1;
  let stop = frame('stop_frame', implied)!;
  if (stop < start) {
    problems.error(
      `<stop_frame> ${stop} is before <start_frame> ${start}; the task is taken to end at ${implied}`,
      { file, line: firstTagLine(content, 'stop_frame') },
      'bad-stop_frame',
    );
    stop = Math.max(start, implied);
  }
  // Kept as written, even off the step (CVAT allows it), so that an export gives back the same.
  return { start, stop, step };
}

/** The project's frame for a frame number in the file, or null when the task does not hold that frame. */
export function toProjectFrame(task: CvatTaskFrames, fileFrame: number): number | null {
  const offset = fileFrame - task.start;
  if (!Number.isInteger(fileFrame) || offset < 0 || fileFrame > task.stop || offset % task.step !== 0) return null;
  return task.projectFrames === 'video' ? fileFrame : offset / task.step;
}

/** The file's frame number for the task's i-th frame. */
export function fileFrameOf(task: TaskRange, index: number): number {
  return task.start + index * task.step;
}

/**
 * How the task's frames meet the project's: as the video's own frames when the project's media reaches
 * the stop frame, as the project's frames 0, 1, ... when the media has just the task's frame count (or
 * the project has no media yet). Otherwise the media fits neither, and the way that puts more of the boxes
 * inside it is taken (all of them, if either does; the task's frames when tied). The note says which, and why.
 */
export function chooseProjectFrames(task: TaskRange, fileFrames: number[], mediaFrames: number | undefined): { frames: CvatTaskFrames; note: string } {
  const count = taskFrameCount(task);
  const as = (projectFrames: CvatTaskFrames['projectFrames']): CvatTaskFrames => ({ ...task, projectFrames });
  const inside = (frames: CvatTaskFrames) =>
    fileFrames.filter((frame) => {
      const projectFrame = toProjectFrame(frames, frame);
      return projectFrame !== null && projectFrame < mediaFrames!;
    }).length;
  let frames: CvatTaskFrames;
  let why: string;
  if (mediaFrames === undefined) [frames, why] = [as('task'), 'the project has no media to say otherwise'];
  else if (mediaFrames > task.stop) [frames, why] = [as('video'), `the project's media has ${mediaFrames} frames, so it is the video the task was made from`];
  else if (mediaFrames === count) [frames, why] = [as('task'), `the project's media has the task's ${count} frames`];
  else {
    const [byVideo, byTask] = [inside(as('video')), inside(as('task'))];
    frames = as(byVideo > byTask ? 'video' : 'task');
    const landed = Math.max(byVideo, byTask);
    why =
      `the project's media has ${mediaFrames} frames, neither the task's ${count} nor the ${task.stop + 1} up to its stop frame, so it is ambiguous: ` +
      (landed === fileFrames.length
        ? 'this way every box lands inside the clip'
        : `this way the most boxes (${landed} of ${fileFrames.length}) land inside the clip`);
  }
  const taskFrames = `CVAT task frames ${describeTask(task)}`;
  const note =
    frames.projectFrames === 'task'
      ? `${taskFrames} mapped to the project's frames 0-${count - 1} (${why})`
      : `${taskFrames} taken as the video's own frames ${listFrames(task, count)} (${why})`;
  return { frames, note };
}

/** The task's frames in the file's numbering, shortened when long: "10, 13, 16, ..., 97". */
function listFrames(task: TaskRange, count: number): string {
  const shownFrames = Array.from({ length: Math.min(count, 4) }, (_, i) => fileFrameOf(task, i));
  return count <= 4 ? shownFrames.join(', ') : `${shownFrames.slice(0, 3).join(', ')}, ..., ${fileFrameOf(task, count - 1)}`;
}

/** Where a CVAT writer puts the set's frames: its frames as the task's (0 to count - 1), and each one's number in the file. */
export interface TaskView {
  /** The set with only the task's frames, numbered 0, 1, ... as the task holds them. */
  set: AnnotationSet;
  /** The task's frames to declare in <meta>. */
  range: TaskRange;
  fileFrame: (index: number) => number;
}

/** Which of the task's frames (0 on) a project frame is, or null when the task does not hold it. */
export function taskIndexOf(task: CvatTaskFrames, projectFrame: number): number | null {
  const index = task.projectFrames === 'task' ? projectFrame : toProjectFrame({ ...task, projectFrames: 'task' }, projectFrame);
  return index !== null && index < taskFrameCount(task) ? index : null;
}

/**
 * A track's boxes (every frame's, in frame order) on the task's frames, numbered as the task's, each a
 * keyframe where CVAT needs one to draw the boxes the project has there. CVAT keeps only keyframes and
 * draws a straight line between them (holding the last), so a box is written as one where a stretch that
 * follows one project keyframe starts in the task (that keyframe itself, or the first box after it when it
 * lies between the task's frames or before them), and where such a stretch ends still moving with no
 * project keyframe on the next task frame to draw toward.
 */
function taskBoxes(boxes: TrackBox[], indexOf: (frame: number) => number | null): TrackBox[] {
  let from = -1;
  const kept = boxes.flatMap((box) => {
    if (box.keyframe) from = box.frame;
    const index = indexOf(box.frame);
    return index === null ? [] : [{ box: { ...box, frame: index }, from }];
  });
  let first: TrackBox | undefined;
  return kept.map(({ box, from }, i) => {
    const before = kept[i - 1];
    const after = kept[i + 1];
    const starts = before?.box.frame !== box.frame - 1 || before.from !== from;
    if (starts) first = box;
    const ends = after?.box.frame !== box.frame + 1 || after.from !== from;
    // Drawn toward the project's next keyframe, or held as it is: either gives back the stretch.
    const drawn = after?.box.frame === box.frame + 1 ? after.box.keyframe : sameGeometry(box, first!);
    return { ...box, keyframe: starts || (ends && !drawn) };
  });
}

function sameGeometry(a: BoxGeometry, b: BoxGeometry): boolean {
  return a.xtl === b.xtl && a.ytl === b.ytl && a.xbr === b.xbr && a.ybr === b.ybr;
}

/**
 * The set as the CVAT task it was imported from holds it (see CvatTaskFrames); a set with no such task
 * is its own task, frames 0 on. Extras keyed by frame (images' attributes, kept shapes) follow their frame.
 */
export function taskView(set: AnnotationSet): TaskView {
  const task = set.extra?.cvatTask;
  if (!task) {
    const range = { start: 0, stop: Math.max(0, set.frameCount - 1), step: 1 };
    return { set, range, fileFrame: (index) => index };
  }
  const range = { start: task.start, stop: task.stop, step: task.step };
  const count = taskFrameCount(range);
  const projectFrameOf = (index: number) => (task.projectFrames === 'task' ? index : fileFrameOf(range, index));
  const indexOf = (frame: number) => taskIndexOf(task, frame);
  const tracks = set.tracks.map((track) => ({ ...track, boxes: taskBoxes(track.boxes, indexOf) })).filter((track) => track.boxes.length > 0);
  const byIndex = <T>(values: Record<string, T> | undefined): Record<string, T> | undefined => {
    if (!values) return undefined;
    const kept = Object.entries(values).flatMap(([frame, value]) => {
      const index = indexOf(Number(frame));
      return index === null ? [] : [[String(index), value] as const];
    });
    return Object.fromEntries(kept);
  };
  const frames = byIndex(set.extra?.frames);
  const shapeFrames = byIndex(set.extra?.cvatShapes?.frames);
  const extra = {
    ...set.extra,
    ...(frames ? { frames } : {}),
    ...(set.extra?.cvatShapes ? { cvatShapes: { ...set.extra.cvatShapes, ...(shapeFrames ? { frames: shapeFrames } : {}) } } : {}),
  };
  return {
    set: {
      ...set,
      frameCount: count,
      frameNames: Array.from(
        { length: count },
        (_, index) => set.frameNames[projectFrameOf(index)] ?? `frame_${String(fileFrameOf(range, index)).padStart(6, '0')}.jpg`,
      ),
      tracks,
      extra,
    },
    range,
    fileFrame: (index) => fileFrameOf(range, index),
  };
}
