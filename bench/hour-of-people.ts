// An hour of annotations at 25 fps with six people in view on every frame: 540,000 boxes, each a
// keyframe (as a detector's draft, or a per-frame import, makes them). People walk in staggered every
// 6 s and stay 36 s; the last six walk out at the end of the clip and in again at its start.

import { ANNOTATIONS_SCHEMA, type AnnotationTrack, type ProjectAnnotations } from '../src/shared/annotations';
import { round2 } from '../src/shared/keyframes';

export const HOUR_FRAMES = 90_000;
const PEOPLE = 600;
const STAY = 900;
const LABELS = ['MW', 'NM', 'ND'];

export function hourOfPeople(width: number, height: number): ProjectAnnotations {
  const tracks: AnnotationTrack[] = [];
  for (let person = 0; person < PEOPLE; person++) {
    const start = person * (HOUR_FRAMES / PEOPLE);
    const row = person % 6;
    // Coordinates to two decimals, as CVAT writes them.
    const box = (step: number) => ({
      ...{ xtl: round2(width * (0.02 + (0.8 * step) / STAY)), ytl: round2(height * (0.05 + row * 0.15)), xbr: round2(width * (0.1 + (0.8 * step) / STAY)) },
      ...{ ybr: round2(height * (0.18 + row * 0.15)), label: LABELS[person % 3]!, occluded: false, zOrder: 0, attributes: {} },
    });
    // A stretch of frames from..to (inclusive) as a track of its own, ending outside when the clip goes on.
    const stretch = (id: number, from: number, to: number) => {
      const shapes = Array.from({ length: to - from + 1 }, (_, i) => ({
        frame: from + i,
        outside: false,
        ...box((from + i - start + HOUR_FRAMES) % HOUR_FRAMES),
      }));
      if (to + 1 < HOUR_FRAMES) shapes.push({ ...shapes.at(-1)!, frame: to + 1, outside: true });
      tracks.push({ id, shapes });
    };
    stretch(person + 1, start, Math.min(start + STAY, HOUR_FRAMES) - 1);
    if (start + STAY > HOUR_FRAMES) stretch(PEOPLE + person + 1, 0, start + STAY - HOUR_FRAMES - 1);
  }
  tracks.sort((a, b) => a.id - b.id);
  const frameNames = Array.from({ length: HOUR_FRAMES }, (_, f) => `frame_${String(f).padStart(6, '0')}.jpg`);
  return { schema: ANNOTATIONS_SCHEMA, width, height, frameCount: HOUR_FRAMES, frameNames, tracks };
}
