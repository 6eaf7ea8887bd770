// Labels proposed for a draft's people by a training run's classifier: each track's keyframes cut as the
// run's dataset cut its crops, judged, and the class with the most probability over them proposed for
// the track, when it is one of the project's labels. The annotator still accepts each person.

import type { DraftTrack } from '../../shared/detect';
import type { MediaSettings } from '../../shared/project';
import type { DatasetUsed } from '../../shared/runs';
import { cropImage, cropRegion } from '../dataset/crop-region';
import type { Classifier } from '../review/classify';
import { eachFrame } from './project-frames';

export interface RunModel {
  dataset: DatasetUsed;
  classifier: Classifier;
}

/** Sets each track's `label` to what `model` says of its keyframes (null where that is not a project label). */
export async function labelDraft(
  project: string,
  media: MediaSettings,
  tracks: DraftTrack[],
  { dataset, classifier }: RunModel,
  labels: readonly string[],
  signal: AbortSignal,
  progress: (done: number, total: number) => void,
): Promise<void> {
  const wanted = new Map<number, Array<{ track: DraftTrack; index: number }>>();
  for (const track of tracks)
    track.keyframes.forEach((keyframe, index) => {
      const list = wanted.get(keyframe.frame) ?? [];
      list.push({ track, index });
      wanted.set(keyframe.frame, list);
    });
  if (wanted.size === 0) return;
  const frames = [...wanted.keys()].sort((a, b) => a - b);
  const votes = new Map<DraftTrack, number[]>();
  let done = 0;
  await eachFrame(project, media, { from: frames[0]!, to: frames.at(-1)!, every: 1 }, signal, async (raw) => {
    const here = wanted.get(raw.frame);
    if (!here) return;
    const crops = await Promise.all(
      here.map(({ track, index }) =>
        cropImage(raw, cropRegion(track.keyframes[index]!, dataset.options, raw.width, raw.height), dataset.options)
          .raw()
          .toBuffer(),
      ),
    );
    const probabilities = await classifier.classify(Buffer.concat(crops), crops.length);
    here.forEach(({ track }, i) => {
      const sum = votes.get(track) ?? dataset.labels.map(() => 0);
      probabilities[i]!.forEach((p, c) => (sum[c]! += p));
      votes.set(track, sum);
    });
    progress(++done, frames.length);
  });
  for (const [track, sum] of votes) {
    const name = dataset.labels[sum.indexOf(Math.max(...sum))]!;
    track.label = labels.includes(name) ? name : null;
  }
}
