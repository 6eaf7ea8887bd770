// Each frame's own size: one for every frame of a video, one per image for a folder of photos.

import type { FrameSize } from './annotations';

/** What a frame's size is read from: annotations, or the per-frame view of them the formats write. */
export interface Sized {
  width: number;
  height: number;
  frameSizes?: FrameSize[];
}

/** Frame `frame`'s size: its own entry when the frames differ in size, otherwise the one size of all. */
export function frameSize(sized: Sized, frame: number): FrameSize {
  const own = sized.frameSizes?.[frame];
  return own ? { width: own.width, height: own.height } : { width: sized.width, height: sized.height };
}

/** The per-frame sizes to keep: none when every frame has the first one's size, so a video's annotations stay as they were. */
export function distinctSizes(sizes: FrameSize[]): FrameSize[] | undefined {
  const first = sizes[0];
  return first && sizes.some((size) => size.width !== first.width || size.height !== first.height) ? sizes : undefined;
}

/** "512x366, 301x400 and 2 more": the sizes among `sizes`, for messages. */
export function describeSizes(sizes: FrameSize[]): string {
  const distinct = [...new Set(sizes.map((size) => `${size.width}x${size.height}`))];
  return distinct.length > 3 ? `${distinct.slice(0, 3).join(', ')} and ${distinct.length - 3} more` : distinct.join(', ');
}
