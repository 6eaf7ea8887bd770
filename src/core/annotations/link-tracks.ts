// Per-frame formats have no identities unless the file carries `track_id`. Boxes are linked across
// frames into tracks by overlap with where each track is predicted to be (IoU and motion).

import type { BoxGeometry, Track, TrackBox } from '../../shared/annotations';
import { iou } from '../../shared/overlap';
import { predictedBox } from './box-motion';
import type { ReadBox } from './formats/read-result';
import type { ProblemList } from './problems';
import { TrackIds } from './track-ids';

/** Default smallest overlap (IoU) between a track's predicted box and a box that continues it. */
export const DEFAULT_LINK_THRESHOLD = 0.3;
/** A track can miss this many frames (a detection gap, an occlusion) and still be continued. */
const MAX_GAP = 5;

/** A box somewhere in the clip. */
type Placed = BoxGeometry & { frame: number };

/**
 * Tracks from boxes listed frame by frame: boxes with a `track_id` keep it; the others are linked, or,
 * with no threshold (separate photos), each becomes a track of its own. Returns the tracks (sorted by id)
 * and how many were formed by linking (none without a threshold).
 */
export function linkTracks(readBoxes: ReadBox[], threshold: number | null, problems: ProblemList): { tracks: Track[]; formed: number } {
  const identified = new Map<number, Track>();
  const framesOf = new Map<number, Set<number>>();
  const loose: TrackBox[] = [];
  for (const { trackId, box, file, line } of readBoxes) {
    if (trackId === null) {
      loose.push(box);
      continue;
    }
    const track = identified.get(trackId) ?? { id: trackId, boxes: [] };
    identified.set(trackId, track);
    const frames = framesOf.get(trackId) ?? new Set<number>();
    framesOf.set(trackId, frames);
    if (frames.has(box.frame)) {
      problems.error(
        `track_id ${trackId} appears twice on frame ${box.frame}; the second box is linked by position instead`,
        { file, line },
        'duplicate-track-id',
      );
      loose.push(box);
    } else {
      frames.add(box.frame);
      track.boxes.push(box);
    }
  }
  // No overlap reaches Infinity: without a threshold every box starts a track of its own.
  const linked = linkBoxes(loose, threshold ?? Infinity, MAX_GAP, new TrackIds(identified.keys()));
  const tracks = [...identified.values(), ...linked];
  for (const track of tracks) track.boxes.sort((a, b) => a.frame - b.frame);
  return { tracks: tracks.sort((a, b) => a.id - b.id), formed: threshold === null ? 0 : linked.length };
}

/**
 * Boxes without identities linked into tracks frame by frame: each continues the track whose predicted
 * box (its last box moved on by the motion fitted to its last boxes) it overlaps most, by `smallest` IoU or more, unless that track
 * was last seen over `maxGap` frames before. New tracks take their ids from `ids`.
 */
export function linkBoxes<B extends Placed>(boxes: B[], smallest: number, maxGap: number, ids: TrackIds): Array<{ id: number; boxes: B[] }> {
  const linked: Array<{ id: number; boxes: B[] }> = [];
  let active: Array<{ id: number; boxes: B[] }> = [];
  const byFrame = new Map<number, B[]>();
  for (const box of boxes) {
    const list = byFrame.get(box.frame);
    if (list) list.push(box);
    else byFrame.set(box.frame, [box]);
  }
  for (const frame of [...byFrame.keys()].sort((a, b) => a - b)) {
    active = active.filter((track) => frame - track.boxes.at(-1)!.frame <= maxGap);
    const boxes = byFrame.get(frame)!;
    const pairs: { track: (typeof active)[number]; box: B; overlap: number }[] = [];
    for (const track of active) {
      const predicted = predictedBox(track.boxes, frame);
      for (const box of boxes) {
        const overlap = iou(predicted, box);
        if (overlap >= smallest) pairs.push({ track, box, overlap });
      }
    }
    // Greedy: the best overlaps are taken first, each track and box once.
    pairs.sort((a, b) => b.overlap - a.overlap);
    const usedTracks = new Set<(typeof active)[number]>();
    const usedBoxes = new Set<B>();
    for (const { track, box } of pairs) {
      if (usedTracks.has(track) || usedBoxes.has(box)) continue;
      usedTracks.add(track);
      usedBoxes.add(box);
      track.boxes.push(box);
    }
    for (const box of boxes) {
      if (usedBoxes.has(box)) continue;
      const track = { id: ids.next(), boxes: [box] };
      linked.push(track);
      active.push(track);
    }
  }
  return linked;
}
