import { defineStore } from 'pinia';
import { computed, shallowRef, watch } from 'vue';
import { draftBoxAt, newInDraft, notFoundAt, type DraftTrack, type PeopleDraft } from '../../../shared/detect';
import { useApi } from '../api/client';
import { useAnnotationsStore, type BoxInFrame } from './annotations';
import { useAppStore } from './app';
import { useJobsStore } from './jobs';
import { useProjectStore } from './project';

/**
 * The people a detection job found (drafts/people.json), beside the annotations: the window shows the
 * draft's tracks that are not yet among the labels, and the annotator accepts them one by one, each as
 * an edit with undo.
 */
export const useDraftStore = defineStore('draft', () => {
  const draft = shallowRef<PeopleDraft | null>(null);
  const annotations = useAnnotationsStore();
  const jobs = useJobsStore();

  /** The draft's tracks that match no labelled track: an accepted one leaves the list, and comes back if undone. */
  const proposals = computed<DraftTrack[]>(() => {
    void annotations.revision;
    return draft.value ? newInDraft(draft.value, annotations.tracks) : [];
  });
  const finding = computed(() => jobs.active.some((job) => job.kind === 'detect'));

  /** The proposals' boxes on `frame`. */
  function proposalsAt(frame: number): Array<{ id: number; box: NonNullable<ReturnType<typeof draftBoxAt>> }> {
    return proposals.value.flatMap((track) => {
      const box = draftBoxAt(track, frame);
      return box ? [{ id: track.id, box }] : [];
    });
  }

  /**
   * The labelled tracks whose box on `frame` the detector did not find (a label on nobody, or a person it
   * missed); `boxes` are the frame's labelled boxes, when the caller has them already.
   */
  function notFound(frame: number, boxes: BoxInFrame[] = annotations.boxesAt(frame)): number[] {
    return draft.value ? notFoundAt(draft.value, boxes, frame) : [];
  }

  async function load(): Promise<void> {
    draft.value = useProjectStore().current ? await useApi().peopleDraft() : null;
  }

  /** Starts finding people in frames `from` to `to` (all when not given), replacing the draft there is; `runId`'s classifier proposes their labels. */
  async function find(range: { from: number; to: number } | null, runId: string | null): Promise<void> {
    await useApi().startDetection({ options: { ...(range ?? {}), ...(runId ? { runId } : {}), replace: true } });
  }

  /** Adds people to the labels, each with its label, as one edit (one undo takes them all back). */
  async function accept(people: Array<{ track: DraftTrack; label: string }>): Promise<void> {
    const tracks = people.map(({ track, label }) => ({
      keyframes: track.keyframes.map(({ frame, xtl, ytl, xbr, ybr }) => ({ frame, xtl, ytl, xbr, ybr })),
      label,
    }));
    await annotations.edit({ type: 'add-tracks', tracks });
  }

  async function discard(): Promise<void> {
    await useApi().discardPeopleDraft();
    draft.value = null;
  }

  jobs.onJobEnd(['detect'], () => load());
  watch(
    () => useProjectStore().current?.path,
    () =>
      // A draft file that cannot be read is said (naming it), and shows as no draft.
      void load().catch((error: unknown) => {
        draft.value = null;
        useAppStore().report(error);
      }),
  );

  return { draft, proposals, finding, proposalsAt, notFound, load, find, accept, discard };
});
