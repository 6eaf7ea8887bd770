// Boxes and tracks as the core holds them, independent of any file format.

export interface BoxGeometry {
  xtl: number;
  ytl: number;
  xbr: number;
  ybr: number;
}

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
}

/** One person followed through the clip: a box in every frame where they are in view. */
export interface Track {
  id: number;
  /** Sorted by frame, one per frame, without gaps. */
  boxes: TrackBox[];
}

export interface AnnotationSet {
  width: number;
  height: number;
  frameCount: number;
  /** File name of each frame, as Pascal VOC and CVAT for images name them. */
  frameNames: string[];
  labels: string[];
  tracks: Track[];
}
