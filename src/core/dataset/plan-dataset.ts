// Which crops a dataset holds and where each goes: pure, so every rule about leaks and balance is
// tested without touching a pixel.

import type { BoxGeometry, ProjectAnnotations, TrackBox } from '../../shared/annotations';
import { SPLITS, classOf, type ClassCounts, type DatasetOptions, type SplitBy, type SplitName } from '../../shared/dataset';
import { WorkbenchError } from '../../shared/errors';
import { frameSize } from '../../shared/frame-sizes';
import { boxesEvery } from '../../shared/keyframes';
import { withinFrame } from '../../shared/overlap';
import { Prng } from '../util/prng';
import { splitByFor } from './dataset-options';

export interface PlannedSample {
  frame: number;
  trackId: number;
  box: BoxGeometry;
  label: string;
  split: SplitName;
}

export interface DatasetPlan {
  labels: string[];
  /** How it was split (auto decided for the project). */
  splitBy: SplitBy;
  samples: PlannedSample[];
  counts: Record<SplitName, ClassCounts>;
  classWeights: Record<string, number> | null;
  splits: Record<SplitName, { frames: [number, number] | null; tracks: number[] }>;
  warnings: string[];
}

export function planDataset(annotations: ProjectAnnotations, options: DatasetOptions): DatasetPlan {
  const warnings: string[] = [];
  const labels = options.classes === 'MW,NM,ND' ? ['MW', 'NM', 'ND'] : ['MW', 'NM'];
  const skipped = { label: new Map<string, number>(), small: 0, occluded: 0, outsideFrames: new Set<number>() };

  // Sampling: every stride-th frame, each box mapped to a class or left out (and counted).
  const candidates: Omit<PlannedSample, 'split'>[] = [];
  for (const boxes of sampledBoxes(annotations, options.stride)) {
    for (const { trackId, box } of boxes) {
      const { frame } = box;
      const label = classOf(box.label, options);
      if (!label) {
        skipped.label.set(box.label, (skipped.label.get(box.label) ?? 0) + 1);
        continue;
      }
      // Only the part in the frame (each photo of a collection its own size) can be cut; a box mostly outside it would show something else.
      const { width, height } = frameSize(annotations, frame);
      const inFrame = withinFrame(box, width, height);
      const visible = Math.max(0, inFrame.xbr - inFrame.xtl) * Math.max(0, inFrame.ybr - inFrame.ytl);
      if (visible < 0.5 * (box.xbr - box.xtl) * (box.ybr - box.ytl)) skipped.outsideFrames.add(frame);
      else if (Math.min(box.xbr - box.xtl, box.ybr - box.ytl) < options.minSize) skipped.small++;
      else if (options.skipOccluded && box.occluded) skipped.occluded++;
      else candidates.push({ frame, trackId, box: inFrame, label });
    }
  }
  for (const [label, count] of skipped.label) {
    warnings.push(
      label === 'ND'
        ? `${count} ND boxes were dropped (two classes, ND dropped)`
        : `${count} boxes labelled "${label}" are not in the classes ${labels.join(', ')} and were left out`,
    );
  }
  if (skipped.outsideFrames.size) {
    const frames = [...skipped.outsideFrames];
    warnings.push(
      `boxes mostly outside the frame were left out, on frames ${frames.slice(0, 10).join(', ')}${frames.length > 10 ? ` and ${frames.length - 10} more` : ''}`,
    );
  }
  if (skipped.small) warnings.push(`${skipped.small} boxes smaller than ${options.minSize} px were left out`);
  const splitBy = splitByFor(options, annotations);
  if (options.splitBy === 'auto' && splitBy === 'image')
    warnings.push(
      `split by image (seed ${options.seed}), the default for photos: they are separate pictures, not a sequence, so there is no time order to split along; each photo's crops go wholly to one part`,
    );
  if (splitBy === 'time' && annotations.stills)
    warnings.push('a time split of separate photos: their order is only that of their file names, so no gap is left between parts; split by image instead');
  if (splitBy === 'image' && !annotations.stills)
    warnings.push(
      "a split by image of a video's frames: neighbouring, near-identical frames land in different parts, so validation and test scores will be too high",
    );
  if (splitBy === 'random')
    warnings.push(
      annotations.stills
        ? 'random split of photos: the boxes of one photo land in different parts, so validation and test scores will be too high; split by image instead'
        : 'random split: neighbouring, near-identical frames land in different parts, so validation and test scores will be too high',
    );
  if (splitBy === 'track' && annotations.stills)
    warnings.push('a split by person of separate photos: each box is a track of its own, so one photo can land in two parts; split by image instead');
  if (annotations.stills && options.stride > 1)
    warnings.push(
      `only every ${ordinal(options.stride)} photo is taken (stride ${options.stride}): photos are not near-identical neighbours as a video's frames are, and stride 1 takes them all`,
    );
  // Photos have no neighbouring frames to keep apart: no gap between their parts.
  const gap = annotations.stills ? 0 : options.gap;
  if (splitBy === 'time' && !annotations.stills && gap < options.stride)
    warnings.push(`the gap (${options.gap} frames) is shorter than the stride (${options.stride}): frames either side of a cut can be near-identical`);
  if (skipped.occluded) warnings.push(`${skipped.occluded} occluded boxes were left out`);

  const random = new Prng(options.seed);
  let samples = assignSplits(candidates, annotations.frameCount, { ...options, splitBy, gap }, random, warnings);
  if (options.balance === 'undersample') samples = undersample(samples, labels, random);

  const counts = Object.fromEntries(SPLITS.map((split) => [split, Object.fromEntries(labels.map((label) => [label, 0]))])) as Record<SplitName, ClassCounts>;
  for (const sample of samples) counts[sample.split][sample.label]!++;
  SPLITS.forEach((split, index) => {
    const total = Object.values(counts[split]).reduce((sum, count) => sum + count, 0);
    if (options.split[index]! > 0 && total === 0) {
      const frames = splitBy === 'time' ? timeParts(annotations.frameCount, options.split)[split] : null;
      const swallowed = frames && split !== 'train' && frames[1] - frames[0] <= gap;
      throw new WorkbenchError(
        'invalid-request',
        swallowed
          ? `The ${split} part would hold no crops: the ${gap}-frame gap before it covers all of its ${frames[1] - frames[0]} frames (${frames[0]} to ${frames[1] - 1}); ` +
              `take a smaller "gap" (under ${frames[1] - frames[0]}), a longer clip, or another "split"`
          : `The ${split} part would hold no crops: take more frames (a smaller "stride"), a smaller "gap", or another "split"`,
        { field: 'split' },
      );
    }
    for (const label of labels) if (total > 0 && counts[split][label] === 0) warnings.push(`the ${split} part has no ${label} crops`);
  });

  const train = counts.train;
  const trainTotal = Object.values(train).reduce((sum, count) => sum + count, 0);
  const classWeights =
    options.balance === 'weights' ? Object.fromEntries(labels.map((label) => [label, train[label] ? trainTotal / (labels.length * train[label]!) : 0])) : null;
  const splits = Object.fromEntries(
    SPLITS.map((split) => {
      const inSplit = samples.filter((sample) => sample.split === split);
      // A loop, not Math.min(...): a part can hold more crops than a call takes arguments.
      const frames = inSplit.reduce<[number, number] | null>(
        (range, s) => (range ? [Math.min(range[0], s.frame), Math.max(range[1], s.frame)] : [s.frame, s.frame]),
        null,
      );
      return [split, { frames, tracks: [...new Set(inSplit.map((s) => s.trackId))].sort((a, b) => a - b) }];
    }),
  ) as DatasetPlan['splits'];
  return { labels, splitBy, samples, counts, classWeights, splits, warnings };
}

/** Every stride-th frame's boxes: frame by frame, and by track (in the project's order) within a frame. */
function sampledBoxes(annotations: ProjectAnnotations, stride: number): Array<Array<{ trackId: number; box: TrackBox }>> {
  const frames = Array.from({ length: Math.ceil(annotations.frameCount / stride) }, () => [] as Array<{ trackId: number; box: TrackBox }>);
  for (const track of annotations.tracks)
    for (const box of boxesEvery(track, stride, annotations.frameCount)) frames[box.frame / stride]!.push({ trackId: track.id, box });
  return frames;
}

/**
 * By time: the clip is cut into three consecutive parts, with `gap` frames left out after each cut, so
 * neighbouring (near-identical) frames never land in two parts. By track: each person goes wholly to one
 * part; by image, each photo. Random: each crop on its own, which leaks neighbours across parts (said in
 * a warning).
 */
function assignSplits(
  candidates: Omit<PlannedSample, 'split'>[],
  frameCount: number,
  options: DatasetOptions & { splitBy: SplitBy },
  random: Prng,
  warnings: string[],
): PlannedSample[] {
  const [train, val] = options.split;
  if (options.splitBy === 'time') {
    const parts = timeParts(frameCount, options.split);
    const [firstCut, secondCut] = [parts.val[0], parts.test[0]];
    const partOf = (frame: number): SplitName | null => {
      if (frame < firstCut) return 'train';
      if (frame < firstCut + options.gap) return null;
      if (frame < secondCut) return 'val';
      if (frame < secondCut + options.gap) return null;
      return 'test';
    };
    const left = candidates.filter((sample) => partOf(sample.frame) === null).length;
    if (left) warnings.push(`${left} crops fall in the ${options.gap}-frame gaps between parts and were left out`);
    return candidates.flatMap((sample) => {
      const split = partOf(sample.frame);
      return split ? [{ ...sample, split }] : [];
    });
  }
  if (options.splitBy === 'track') return byGroup(candidates, (sample) => sample.trackId, options, random);
  if (options.splitBy === 'image') return byGroup(candidates, (sample) => sample.frame, options, random);
  return candidates.map((sample) => {
    const draw = random.next();
    return { ...sample, split: draw < train ? 'train' : draw < train + val ? 'val' : 'test' };
  });
}

/** The frames [from, to) of each part of a time split, before the gap after each cut is taken from the part that follows. */
function timeParts(frameCount: number, [train, val]: DatasetOptions['split']): Record<SplitName, [number, number]> {
  const [firstCut, secondCut] = [Math.round(frameCount * train), Math.round(frameCount * (train + val))];
  return { train: [0, firstCut], val: [firstCut, secondCut], test: [secondCut, frameCount] };
}

/** Each group (a person, a photo) wholly to one part: the biggest first (ties in seeded order), each to the part furthest below its share. */
function byGroup(
  candidates: Omit<PlannedSample, 'split'>[],
  groupOf: (sample: Omit<PlannedSample, 'split'>) => number,
  options: DatasetOptions,
  random: Prng,
): PlannedSample[] {
  const perGroup = new Map<number, number>();
  for (const sample of candidates) perGroup.set(groupOf(sample), (perGroup.get(groupOf(sample)) ?? 0) + 1);
  const order = shuffle(
    [...perGroup.keys()].sort((a, b) => a - b),
    random,
  ).sort((a, b) => perGroup.get(b)! - perGroup.get(a)!);
  const total = candidates.length;
  const held = { train: 0, val: 0, test: 0 };
  const assigned = new Map<number, SplitName>();
  for (const group of order) {
    const split = SPLITS.filter((_, i) => options.split[i]! > 0).reduce((best, candidate) => {
      const deficit = (name: SplitName) => options.split[SPLITS.indexOf(name)]! * total - held[name];
      return deficit(candidate) > deficit(best) ? candidate : best;
    });
    assigned.set(group, split);
    held[split] += perGroup.get(group)!;
  }
  return candidates.map((sample) => ({ ...sample, split: assigned.get(groupOf(sample))! }));
}

/** Each part keeps as many crops of every class as its rarest class has, chosen at random (with the seed). */
function undersample(samples: PlannedSample[], labels: string[], random: Prng): PlannedSample[] {
  const kept: PlannedSample[] = [];
  for (const split of SPLITS) {
    const byLabel = labels.map((label) => samples.filter((sample) => sample.split === split && sample.label === label)).filter((list) => list.length > 0);
    if (byLabel.length === 0) continue;
    const smallest = Math.min(...byLabel.map((list) => list.length));
    for (const list of byLabel) kept.push(...shuffle(list, random).slice(0, smallest));
  }
  return kept.sort((a, b) => a.frame - b.frame || a.trackId - b.trackId);
}

function shuffle<T>(items: T[], random: Prng): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** 2nd, 3rd, 20th, 21st: how a stride reads in a sentence. */
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
