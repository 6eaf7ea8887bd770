// Labels proposed for a draft's people, from their keyframes. With a training run, its classifier judges
// each keyframe cut as the run's dataset cut its crops, and the class with the most probability over them
// is proposed. Without one, the face finder looks at each keyframe's head: a person whose face shows on
// fewer than half of those large enough to tell is proposed ND (MW and NM need a classifier). The
// annotator still accepts each.

import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { DraftTrack } from '../../shared/detect';
import type { MediaSettings } from '../../shared/project';
import type { DatasetUsed } from '../../shared/runs';
import { cropImage, cropRegion } from '../dataset/crop-region';
import type { RawFrame } from '../media/decode-frames';
import type { Classifier } from '../review/classify';
import { faceScores } from './face-finder';
import { eachFrame } from './project-frames';

export type Labeller = { kind: 'run'; dataset: DatasetUsed; classifier: Classifier } | { kind: 'faces'; model: GraphModel; threshold: number };

/** What proposes ND: the label of a person whose face does not show. */
const NOT_DETECTABLE = 'ND';

/** Sets each track's `label` to what `labeller` makes of its keyframes (null where that is not a project label). */
export async function labelDraft(
  project: string,
  media: MediaSettings,
  tracks: DraftTrack[],
  labeller: Labeller,
  labels: readonly string[],
  signal: AbortSignal,
  progress: (done: number, total: number) => void,
): Promise<void> {
  const wanted = new Map<number, Array<{ track: DraftTrack; index: number }>>();
  for (const track of tracks)
    track.keyframes.forEach((keyframe, index) => {
      // A keyframe carried across the frame's edge (score 0) is partly out of the frame, with no detection behind it.
      if (keyframe.score === 0) return;
      const list = wanted.get(keyframe.frame) ?? [];
      list.push({ track, index });
      wanted.set(keyframe.frame, list);
    });
  if (wanted.size === 0) return;
  const frames = [...wanted.keys()].sort((a, b) => a - b);
  // Per track, a sum per choice: the run's classes, or [face shows, face does not].
  const votes = new Map<DraftTrack, number[]>();
  let done = 0;
  await eachFrame(project, media, { from: frames[0]!, to: frames.at(-1)!, every: 1 }, signal, async (raw) => {
    const here = wanted.get(raw.frame);
    if (!here) return;
    const boxes = here.map(({ track, index }) => track.keyframes[index]!);
    const judged = await judge(labeller, raw, boxes);
    here.forEach(({ track }, i) => {
      const sum = votes.get(track) ?? judged[i]!.map(() => 0);
      judged[i]!.forEach((p, c) => (sum[c]! += p));
      votes.set(track, sum);
    });
    progress(++done, frames.length);
  });
  for (const [track, sum] of votes) {
    const name = labeller.kind === 'run' ? labeller.dataset.labels[sum.indexOf(Math.max(...sum))]! : sum[1]! > sum[0]! ? NOT_DETECTABLE : null;
    track.label = name !== null && labels.includes(name) ? name : null;
  }
}

/** Each box's votes: the run's probability per class, or one vote for "face shows" or "does not" (none for a head too small to tell). */
async function judge(labeller: Labeller, raw: RawFrame, boxes: DraftTrack['keyframes']): Promise<number[][]> {
  if (labeller.kind === 'faces')
    return faceScores(labeller.model, raw, boxes).map((score) => (score === null ? [0, 0] : score >= labeller.threshold ? [1, 0] : [0, 1]));
  const { dataset, classifier } = labeller;
  const crops = await Promise.all(
    boxes.map((box) =>
      cropImage(raw, cropRegion(box, dataset.options, raw.width, raw.height), dataset.options)
        .raw()
        .toBuffer(),
    ),
  );
  return classifier.classify(Buffer.concat(crops), crops.length);
}
