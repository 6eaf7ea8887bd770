import type { AnnotationSet, TrackBox } from '../../../shared/annotations';

export interface FrameBox {
  trackId: number;
  box: TrackBox;
}

/** The boxes of each frame, nearest-last (by z order), for the per-frame formats. */
export function boxesByFrame(set: AnnotationSet): FrameBox[][] {
  const frames: FrameBox[][] = Array.from({ length: set.frameCount }, () => []);
  for (const track of set.tracks) {
    for (const box of track.boxes) frames[box.frame]?.push({ trackId: track.id, box });
  }
  for (const boxes of frames) boxes.sort((a, b) => a.box.zOrder - b.box.zOrder || a.trackId - b.trackId);
  return frames;
}
