// Boxes and tracks as the core holds them, independent of any file format.

import type { ErrorLocation } from './errors';
import { MAX_FRAME_SIDE, MAX_FRAMES, labelName } from './project';
import { fields, finite, flag, list, oneOf, text, v, whole, type Output } from './schema';

export const ANNOTATION_FORMATS = ['voc', 'cvat-video', 'cvat-images'] as const;
export type AnnotationFormat = (typeof ANNOTATION_FORMATS)[number];

/** An image's or a frame's size in pixels. */
export interface FrameSize {
  width: number;
  height: number;
}

export interface BoxGeometry {
  xtl: number;
  ytl: number;
  xbr: number;
  ybr: number;
}

/** One box of a track in one frame, keyframe or interpolated: what per-frame formats list. */
export interface TrackBox extends BoxGeometry {
  frame: number;
  label: string;
  /** Partly hidden behind something nearer. */
  occluded: boolean;
  /** Cut by the frame's edge (Pascal VOC's `truncated`). */
  truncated: boolean;
  /** CVAT: a box the annotator set; boxes between two keyframes are their linear interpolation. */
  keyframe: boolean;
  /** Drawing order in its frame: higher is nearer the camera. */
  zOrder: number;
  attributes?: Record<string, string>;
  pose?: string;
  difficult?: boolean;
  extra?: FormatExtra;
}

/** One person followed through the clip: a box in every frame where they are in view. */
export interface Track {
  id: number;
  /** Sorted by frame, one per frame. */
  boxes: TrackBox[];
  extra?: FormatExtra;
}

/** Every box of every frame written out: what the file formats are written from. */
export interface AnnotationSet {
  width: number;
  height: number;
  /** Each frame's own size, when the frames are images of different sizes (see ProjectAnnotations). */
  frameSizes?: FrameSize[];
  frameCount: number;
  /** File name of each frame, as Pascal VOC and CVAT for images name them. */
  frameNames: string[];
  labels: string[];
  tracks: Track[];
  extra?: ProjectAnnotations['extra'];
}

/** The deepest XML Maskbench reads: deeper nesting is refused by the parser, and so never kept. */
export const MAX_XML_DEPTH = 100;

/** Whether a JSON value nests no deeper than `depth` objects and lists. */
function nestsWithin(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return depth > 0 && Object.values(value).every((child) => nestsWithin(child, depth - 1));
}

/** What a file format had that Maskbench does not model, kept so that an export gives it back. */
const formatExtraSchema = v.object(
  {
    /** Unknown XML attributes of the element, by name. */
    xmlAttributes: v.optional(v.record(v.string(), v.string('a string'), 'an object of strings')),
    /** Unknown child elements, as fast-xml-parser objects (rebuilt on export). Each XML level is an object, and a repeated element adds a list. */
    elements: v.optional(
      v.pipe(
        v.record(v.string(), v.unknown(), 'an object'),
        v.check((elements) => nestsWithin(elements, 2 * MAX_XML_DEPTH), `XML elements nested at most ${MAX_XML_DEPTH} deep`),
      ),
    ),
  },
  'an object',
);

export type FormatExtra = Output<typeof formatExtraSchema>;

const extra = v.optional(formatExtraSchema);

/**
 * A keyframe of a track: a box the annotator set. Frames between two keyframes are their linear
 * interpolation (as in CVAT), with the earlier keyframe's label and flags.
 */
// annotations.json is read leniently: fields Maskbench does not model (a hand edit, an older tool) are
// passed over rather than making the project unopenable.
export const shapeSchema = v.object(
  {
    frame: whole(0, MAX_FRAMES - 1, `a frame number from 0 to ${MAX_FRAMES - 1}`),
    xtl: finite(),
    ytl: finite(),
    xbr: finite(),
    ybr: finite(),
    label: labelName,
    occluded: flag(),
    /** From this frame until the next keyframe, the track is out of view. */
    outside: flag(),
    zOrder: finite(),
    /** Named attributes as CVAT has them; a person's identity is the track, not an attribute. */
    attributes: v.record(v.string(), v.string('a string'), 'an object'),
    /** Pascal VOC's per-object fields. */
    pose: v.optional(v.string('a string')),
    truncated: v.optional(flag()),
    difficult: v.optional(flag()),
    extra,
  },
  'an object',
);

export type Shape = Output<typeof shapeSchema>;

export const annotationTrackSchema = v.object(
  {
    id: whole(0, Number.MAX_SAFE_INTEGER, 'a track id (a whole number from 0)'),
    /** Sorted by frame, one per frame at most. */
    shapes: v.pipe(v.array(shapeSchema, 'a non-empty list'), v.minLength(1, 'a non-empty list')),
    extra,
  },
  'an object',
);

export type AnnotationTrack = Output<typeof annotationTrackSchema>;

/** annotations.json's schema: 2 writes tracks as columns (see core/project/annotations-file.ts); 1 is still read. */
export const ANNOTATIONS_SCHEMA = 2;

const size = whole(1, MAX_FRAME_SIDE, `a whole number from 1 to ${MAX_FRAME_SIDE}`);

const videoFrame = whole(0, MAX_FRAMES - 1, `a frame number from 0 to ${MAX_FRAMES - 1}`);

/**
 * The frames of an imported CVAT task that is part of a video: the video's frames start, start + step,
 * ... up to stop. `projectFrames` says how the project's frames relate to them: `video` when they are the
 * video's own frames, `task` when the project's frame i is the task's i-th frame. Exports write them back.
 */
export const cvatTaskFramesSchema = v.pipe(
  v.object(
    { start: videoFrame, stop: videoFrame, step: whole(1, MAX_FRAMES, `a whole number from 1 to ${MAX_FRAMES}`), projectFrames: oneOf(['video', 'task']) },
    'an object',
  ),
  v.check((task) => task.stop >= task.start, 'a stop frame at or after the start frame'),
);

export type CvatTaskFrames = Output<typeof cvatTaskFramesSchema>;

/** CVAT shapes Maskbench does not show (polygons, polylines, points, skeletons, tags...), kept as read to be written back to the same format. */
const cvatShapesSchema = v.object(
  {
    /** CVAT for video: whole <track> elements that hold no boxes (and the other shapes of one that does), their frames numbered as in the file. */
    tracks: v.optional(v.array(v.record(v.string(), v.unknown(), 'an object'), 'a list')),
    /** CVAT for video: the top-level <tag> elements (frame-level tags), their frames numbered as in the file. */
    tags: v.optional(v.array(v.record(v.string(), v.unknown(), 'an object'), 'a list')),
    /** CVAT for images: each project frame's other shape elements (<tag>s among them), by tag. */
    frames: v.optional(v.record(v.string(), v.record(v.string(), v.unknown(), 'an object'), 'an object')),
    /** The task's <label> declarations those shapes use (made up for those the file did not declare); an export declares a label boxes use too as both kinds' (see cvatMeta). */
    labels: v.optional(v.array(v.record(v.string(), v.unknown(), 'an object'), 'a list')),
  },
  'an object',
);

export type CvatShapes = Output<typeof cvatShapesSchema>;

/** The project's own annotations file (annotations.json); core adds the checks that span fields. */
export const projectAnnotationsSchema = v.object(
  {
    schema: v.literal(ANNOTATIONS_SCHEMA, `schema ${ANNOTATIONS_SCHEMA}`),
    /** Every frame's size; with frameSizes, the first frame's. */
    width: size,
    height: size,
    /**
     * Each frame's own size, for a folder of images of different sizes (photo collections); absent when
     * every frame is width x height, as a video's are. Kept here rather than in project.json, because the
     * annotations need it without media too (a VOC folder's <size>s) and everything that reads boxes
     * (exports, datasets, the annotator) reads the annotations; the files are checked against it.
     */
    frameSizes: v.optional(v.array(v.object({ width: size, height: size }, 'an object with width and height'), 'a list of sizes')),
    /** The frames are separate photos, not a sequence: their boxes are not linked into tracks, and datasets split by image. */
    stills: v.optional(flag()),
    frameCount: whole(1, MAX_FRAMES, `a whole number from 1 to ${MAX_FRAMES}`),
    frameNames: v.array(v.string('a string'), 'a list of names'),
    tracks: v.array(annotationTrackSchema, 'a list'),
    /** What the imported files had around the boxes, per frame (VOC files' other elements, CVAT images' attributes). */
    extra: v.optional(
      v.object(
        {
          frames: v.optional(v.record(v.string(), formatExtraSchema, 'an object')),
          cvatTask: v.optional(cvatTaskFramesSchema),
          cvatShapes: v.optional(
            v.pipe(
              cvatShapesSchema,
              v.check((shapes) => nestsWithin(shapes, 2 * MAX_XML_DEPTH + 4), `XML elements nested at most ${MAX_XML_DEPTH} deep`),
            ),
          ),
        },
        'an object',
      ),
    ),
  },
  'an object',
);

export type ProjectAnnotations = Output<typeof projectAnnotationsSchema>;

const frame = whole(0, Number.MAX_SAFE_INTEGER, 'a frame number from 0');
const trackId = whole(0, Number.MAX_SAFE_INTEGER, 'a track id (a whole number from 0)');
const label = text('a label name');
const box = fields({ xtl: finite(), ytl: finite(), xbr: finite(), ybr: finite() });
const edit = <T extends string, E extends v.ObjectEntries>(type: T, entries: E) => fields({ type: v.literal(type), ...entries });

/** A change to the annotations, applied in core; each can be undone and redone. */
export const editSchema = v.variant(
  'type',
  [
    // `to`: the last frame the new box lasts (held still until then); without it, to the end.
    edit('create-track', { frame, box, label, to: v.optional(frame) }),
    // Whole tracks at once (people of a detector's draft, accepted): each its keyframes in frame order, ending after the last.
    edit('add-tracks', {
      tracks: v.pipe(
        list(fields({ keyframes: v.pipe(list(fields({ frame, ...box.entries })), v.minLength(1, 'a list of at least one keyframe')), label })),
        v.minLength(1, 'a list of at least one track'),
      ),
    }),
    edit('move-box', { trackId, frame, box }),
    edit('delete-track', { trackId }),
    edit('relabel-box', { trackId, frame, label }),
    edit('relabel-track', { trackId, from: frame, to: frame, label }),
    edit('split-track', { trackId, frame }),
    edit('merge-tracks', { trackId, otherId: trackId }),
    edit('set-keyframe', { trackId, frame, keyframe: flag() }),
    edit('set-occluded', { trackId, frame, occluded: flag() }),
    edit('set-outside', { trackId, frame, outside: flag() }),
  ],
  'an edit whose type is create-track, add-tracks, move-box, delete-track, relabel-box, relabel-track, split-track, merge-tracks, set-keyframe, set-occluded or set-outside',
);

export type Edit = Output<typeof editSchema>;

/** What an edit (or its undo) changed: the new state of each track it touched, and the tracks it removed. */
export interface EditResult {
  tracks: AnnotationTrack[];
  removed: number[];
  /** What undo would take back next, in words (see describeEdit); null when there is nothing to undo. */
  undo: string | null;
  /** What redo would do again next; null when there is nothing to redo. */
  redo: string | null;
}

/** An edit in a few words, as the window names what an undo or a redo does: "delete track 14". */
export function describeEdit(edit: Edit): string {
  const onOff = (on: boolean) => (on ? 'on' : 'off');
  switch (edit.type) {
    case 'create-track':
      return edit.to === undefined || edit.to === edit.frame
        ? `draw a new ${edit.label} box on frame ${edit.frame}`
        : `draw a new ${edit.label} box on frames ${edit.frame}-${edit.to}`;
    case 'add-tracks': {
      const [first] = edit.tracks;
      return edit.tracks.length > 1
        ? `add ${edit.tracks.length} tracks`
        : `add a ${first!.label} track on frames ${first!.keyframes[0]!.frame}-${first!.keyframes.at(-1)!.frame}`;
    }
    case 'move-box':
      return `move track ${edit.trackId}'s box on frame ${edit.frame}`;
    case 'delete-track':
      return `delete track ${edit.trackId}`;
    case 'relabel-box':
      return `label track ${edit.trackId} ${edit.label} on frame ${edit.frame}`;
    case 'relabel-track':
      return `label track ${edit.trackId} ${edit.label} on frames ${edit.from}-${edit.to}`;
    case 'split-track':
      return `split track ${edit.trackId} at frame ${edit.frame}`;
    case 'merge-tracks':
      return `merge track ${edit.otherId} into track ${edit.trackId}`;
    case 'set-keyframe':
      return `keyframe ${onOff(edit.keyframe)} for track ${edit.trackId} on frame ${edit.frame}`;
    case 'set-occluded':
      return `occluded ${onOff(edit.occluded)} for track ${edit.trackId} from frame ${edit.frame}`;
    case 'set-outside':
      return `track ${edit.trackId} ${edit.outside ? 'out of' : 'back in'} view from frame ${edit.frame}`;
  }
}

/** Something wrong in imported annotations. Errors skip the thing at fault; warnings only inform. */
export interface Problem extends ErrorLocation {
  severity: 'error' | 'warning';
  message: string;
}

export interface ImportReport {
  source: string;
  format: AnnotationFormat;
  frames: number;
  boxes: number;
  tracks: number;
  /** Tracks made by linking boxes that carried no identity. */
  tracksFormed: number;
  /** Boxes per label, after mapping. */
  labels: Record<string, number>;
  /** Source labels that were renamed, and to what. */
  mapped: Record<string, string>;
  /** Labels outside the project's set, with how many boxes carry them: kept, for the user to map or fix. */
  unknownLabels: Record<string, number>;
  problems: Problem[];
}

/** An import into a project: the report, and what it did to the project folder. */
export interface ProjectImportReport extends ImportReport {
  project: string;
  /** Where the original was copied, inside the project. */
  original: string;
  createdProject: boolean;
}

export interface ExportReport {
  format: AnnotationFormat;
  out: string;
  frames: number;
  boxes: number;
  tracks: number;
  /** What the annotations hold that this format cannot, in words. */
  notKept: string[];
}
