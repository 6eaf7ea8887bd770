// How good a draft is against labels someone checked (the sample's exact ground truth, or any project's
// corrected boxes): person recall and precision at IoU 0.5 on every frame of its range, and how often a
// draft track changes from one labelled person to another. Boxes are matched as the CLEAR MOT metrics
// match them: a draft track keeps the person it was on while it still overlaps them enough, and the rest
// are paired by overlap. Without that rule, a box on two people walking close together would count as
// switching between them whenever the other one's overlap edged ahead.

import type { BoxGeometry, ProjectAnnotations } from '../../shared/annotations';
import { draftBoxAt, SAME_PERSON_IOU, type PeopleDraft } from '../../shared/detect';
import { boxAt } from '../../shared/keyframes';
import { iou, shareInside } from '../../shared/overlap';

export interface DraftScore {
  /** Labelled people counted (at least `minHeight` tall, and unoccluded if asked), on every frame of the range. */
  people: number;
  found: number;
  recall: number;
  /** Draft boxes, less those on labelled people not counted (neither right nor wrong). */
  proposed: number;
  precision: number;
  tracks: number;
  /** The most times one draft track changes person, and how many tracks change more than once. */
  mostSwitches: number;
  tracksSwitchingTwice: number;
}

export interface ScoreOptions {
  /** Labelled people shorter than this are neither found nor missed, and boxes on them neither right nor wrong. */
  minHeight: number;
  /**
   * Whether people marked occluded are left out the same way, as pedestrian benchmarks' "reasonable"
   * subset leaves out people mostly hidden: no detector can be asked to find a person it cannot see.
   */
  ignoreOccluded: boolean;
}

export function scoreDraft(
  draft: PeopleDraft,
  truth: ProjectAnnotations,
  { minHeight, ignoreOccluded }: ScoreOptions = { minHeight: 40, ignoreOccluded: false },
): DraftScore {
  let people = 0;
  let found = 0;
  let proposed = 0;
  const matchedPerson = new Map<number, number[]>();
  /** The last frame each draft track was matched on. */
  const lastFrameOf = new Map<number, number>();
  for (let frame = draft.from; frame <= draft.to; frame++) {
    const labelled = truth.tracks.flatMap((track) => {
      const box = boxAt(track, frame);
      return box ? [{ id: track.id, box, counted: box.ybr - box.ytl >= minHeight && !(ignoreOccluded && box.occluded) }] : [];
    });
    const drafted = draft.tracks.flatMap((track) => {
      const box = draftBoxAt(track, frame);
      return box ? [{ id: track.id, box }] : [];
    });
    // The pairs of the frame before first, while they still overlap; then greedy by overlap, each box once.
    const pairs = labelled
      .flatMap((person) => drafted.map((proposal) => ({ person, proposal, overlap: iou(person.box, proposal.box) })))
      .filter(({ overlap }) => overlap >= SAME_PERSON_IOU);
    const kept = ({ person, proposal }: (typeof pairs)[number]) =>
      matchedPerson.get(proposal.id)?.at(-1) === person.id && lastFrameOf.get(proposal.id) === frame - 1;
    const usedPeople = new Set<number>();
    const matchOf = new Map<number, (typeof labelled)[number]>();
    for (const { person, proposal } of pairs.sort((a, b) => Number(kept(b)) - Number(kept(a)) || b.overlap - a.overlap)) {
      if (usedPeople.has(person.id) || matchOf.has(proposal.id)) continue;
      usedPeople.add(person.id);
      matchOf.set(proposal.id, person);
      if (person.counted) found++;
      const seen = matchedPerson.get(proposal.id) ?? [];
      if (seen.at(-1) !== person.id) seen.push(person.id);
      matchedPerson.set(proposal.id, seen);
      lastFrameOf.set(proposal.id, frame);
    }
    people += labelled.filter((person) => person.counted).length;
    // A box mostly within a person not counted is on them, however much of them it leaves out (as
    // pedestrian benchmarks treat their ignore regions): a detector sees only the visible part of someone hidden.
    const onUncounted = (box: BoxGeometry) => labelled.some((person) => !person.counted && shareInside(box, person.box) >= 0.5);
    proposed += drafted.filter((proposal) => matchOf.get(proposal.id)?.counted ?? !onUncounted(proposal.box)).length;
  }
  const switches = [...matchedPerson.values()].map((persons) => persons.length - 1);
  return {
    people,
    found,
    recall: people === 0 ? 1 : found / people,
    proposed,
    precision: proposed === 0 ? 1 : found / proposed,
    tracks: draft.tracks.length,
    mostSwitches: Math.max(0, ...switches),
    tracksSwitchingTwice: switches.filter((count) => count > 1).length,
  };
}
