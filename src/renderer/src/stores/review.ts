import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import { classOf, type DatasetOptions } from '../../../shared/dataset';
import { toErrorData } from '../../../shared/errors';
import { describeForWindow } from '../api/word-error';
import { boxAt, labelRuns } from '../../../shared/keyframes';
import {
  keptKey,
  keptLabelsOf,
  stripFrames,
  type BoxExplanation,
  type EntryCrop,
  type BoxPrediction,
  type KeptLabel,
  type ProjectPredictions,
  type ReviewEntry,
  type ReviewQueue,
} from '../../../shared/review';
import type { BackendChoice } from '../../../shared/runs';
import type { AnnotationTrack } from '../../../shared/annotations';
import { useApi } from '../api/client';
import { useAnnotationsStore } from './annotations';
import { useJobsStore } from './jobs';
import { useProjectStore } from './project';
import { useTrainingStore } from './training';

/** Entries the queue holds at most: more than a session reviews. */
const QUEUE_LENGTH = 500;

export type Verdict = 'pending' | 'changed' | 'kept';

const boxKey = (frame: number, trackId: number) => `${frame}:${trackId}`;

function byBox(predictions: ProjectPredictions | null): Map<string, BoxPrediction> {
  return new Map((predictions?.boxes ?? []).map((box) => [boxKey(box.frame, box.trackId), box]));
}

/**
 * A run's model beside the labels: its predictions on the project's boxes (and a second run's, to
 * compare), the review queue, and the heat map of one box. Accepting and ND are annotation edits, undone
 * like any other; a kept label is saved in the run, and taken back from the queue.
 */
export const useReviewStore = defineStore('review', () => {
  const annotations = useAnnotationsStore();
  const training = useTrainingStore();
  const runId = ref<string | null>(null);
  const compareRunId = ref<string | null>(null);
  const predictions = shallowRef<ProjectPredictions | null>(null);
  const comparison = shallowRef<ProjectPredictions | null>(null);
  const queue = shallowRef<ReviewQueue | null>(null);
  /** Why there is no queue (no predictions yet, or the run no longer fits the project). */
  const queueProblem = ref<string | null>(null);
  const showOnBoxes = ref(true);
  const kept = ref<KeptLabel[]>([]);
  const explanation = shallowRef<BoxExplanation | null>(null);
  const explaining = ref(false);
  /** The crops of the entry last shown (see stripFrames). */
  const strip = shallowRef<{ entry: ReviewEntry; crops: EntryCrop[] } | null>(null);
  /** Where the model runs for predictions, cross-fits and heat maps. */
  const backend = ref<BackendChoice>('auto');
  /** Bumped by every read and every reset, so an answer that comes back late is dropped. */
  let readToken = 0;
  let explainToken = 0;
  let stripToken = 0;
  /** The last keep, while no edit has come after it: Ctrl+Z takes it back. */
  let lastKeep: { entry: ReviewEntry; revision: number } | null = null;

  function forget(): void {
    readToken++;
    explainToken++;
    stripToken++;
    strip.value = null;
    runId.value = null;
    compareRunId.value = null;
    predictions.value = null;
    comparison.value = null;
    queue.value = null;
    queueProblem.value = null;
    kept.value = [];
    explanation.value = null;
    explaining.value = false;
    lastKeep = null;
  }
  // Runs belong to a project: another project (or the same one opened again) starts with none chosen.
  watch(() => useProjectStore().current, forget);
  // A run deleted (in the Runs view) is no longer there to predict with or compare.
  watch(
    () => training.runs,
    (runs) => {
      const exists = (id: string | null) => id === null || runs.some((run) => run.id === id);
      if (!exists(runId.value)) forget();
      else if (!exists(compareRunId.value)) void choose(runId.value, null);
    },
  );
  // What a prediction wrote, all of it or part, is read back wherever the model is shown.
  useJobsStore().onJobEnd(['prediction', 'cross-fit'], reload);

  const predicted = computed(() => byBox(predictions.value));
  const keptKeys = computed(() => new Set(kept.value.map(keptKey)));
  const compared = computed(() => byBox(comparison.value));

  const runOptions = (id: string | null): Pick<DatasetOptions, 'classes' | 'ndPolicy'> | null =>
    training.runs.find((run) => run.id === id)?.config.dataset?.options ?? null;

  /** The class the chosen run gives a label (null when it is outside its classes, as ND is when dropped). */
  function classFor(label: string): string | null {
    const options = runOptions(runId.value);
    return options ? classOf(label, options) : null;
  }

  /** Whether the model's label differs from the box's label as it is now. */
  function disagrees(prediction: BoxPrediction, label: string): boolean {
    const annotated = classFor(label);
    return annotated !== null && annotated !== prediction.predicted;
  }

  /** The boxes whose current label the model disagrees with, and their frames. */
  const disagreements = computed(() => {
    void annotations.revision;
    const tracks = new Map(annotations.tracks.map((track) => [track.id, track]));
    const frames = new Set<number>();
    let boxes = 0;
    for (const prediction of predictions.value?.boxes ?? []) {
      const track = tracks.get(prediction.trackId);
      const box = track && boxAt(track, prediction.frame);
      if (!box || !disagrees(prediction, box.label)) continue;
      boxes++;
      frames.add(prediction.frame);
    }
    return { boxes, frames };
  });

  /** Frames where the two runs predict different labels for a box. */
  const differenceFrames = computed(() => {
    const frames = new Set<number>();
    for (const [key, other] of compared.value) {
      const mine = predicted.value.get(key);
      if (mine && mine.predicted !== other.predicted) frames.add(mine.frame);
    }
    return frames;
  });

  /** What became of an entry: a label of its boxes changed since (accepted, set ND, or edited), all kept, or still to decide. */
  function judge(entry: ReviewEntry, track: AnnotationTrack | undefined): Verdict {
    if (!track || entry.boxes.some(({ frame }) => boxAt(track, frame)?.label !== entry.annotated)) return 'changed';
    return keptLabelsOf(entry).every((label) => keptKeys.value.has(keptKey(label))) ? 'kept' : 'pending';
  }

  /**
   * Every queue entry's verdict, worked out once per change of the annotations, the kept labels or the
   * queue: the panel asks for each of up to 500 entries several times per render, and an entry may hold
   * hundreds of boxes.
   */
  const verdicts = computed(() => {
    void annotations.revision;
    const tracks = new Map(annotations.tracks.map((track) => [track.id, track]));
    return new Map((queue.value?.entries ?? []).map((entry) => [entry, judge(entry, tracks.get(entry.trackId))]));
  });

  function verdict(entry: ReviewEntry): Verdict {
    return (
      verdicts.value.get(entry) ??
      judge(
        entry,
        annotations.tracks.find((candidate) => candidate.id === entry.trackId),
      )
    );
  }

  async function choose(run: string | null, compareWith: string | null = compareRunId.value): Promise<void> {
    runId.value = run;
    compareRunId.value = compareWith === run ? null : compareWith;
    explanation.value = null;
    lastKeep = null;
    await reload();
  }

  /** Reads the chosen runs' predictions and queue again (after a prediction job, say). */
  async function reload(): Promise<void> {
    const api = useApi();
    const token = ++readToken;
    const [mine, other, read] = await Promise.all([
      runId.value ? api.predictions({ runId: runId.value }) : null,
      compareRunId.value ? api.predictions({ runId: compareRunId.value }) : null,
      runId.value ? api.reviewQueue({ runId: runId.value, top: QUEUE_LENGTH }).catch((error: unknown) => describeForWindow(toErrorData(error))) : null,
    ]);
    if (token !== readToken) return;
    predictions.value = mine;
    comparison.value = other;
    queue.value = typeof read === 'string' ? null : read;
    queueProblem.value = typeof read === 'string' ? read : null;
    kept.value = queue.value?.kept ?? [];
  }

  /** Keeps the entry's label against the model (saved in the run), or with `keep` false takes that back. */
  async function keep(entry: ReviewEntry, keep = true): Promise<void> {
    kept.value = await useApi().keepLabels({ runId: runId.value!, labels: keptLabelsOf(entry), keep });
    lastKeep = keep ? { entry, revision: annotations.revision } : null;
  }

  /** Ctrl+Z right after a keep (no edit since) takes the keep back; false when the last decision was not a keep. */
  async function undoKeep(): Promise<boolean> {
    if (!lastKeep || lastKeep.revision !== annotations.revision) return false;
    const { entry } = lastKeep;
    await keep(entry, false);
    return true;
  }

  /** The entry's boxes, exactly, in one edit (one undo). */
  async function relabel(entry: ReviewEntry, label: string): Promise<void> {
    await annotations.edit({ type: 'relabel-track', trackId: entry.trackId, from: entry.from, to: entry.to, label });
  }

  /** The model's label over the whole stretch of the track that carries the entry's label around it (which may be longer than the entry). */
  async function relabelStretch(entry: ReviewEntry, label: string): Promise<void> {
    const track = annotations.tracks.find((candidate) => candidate.id === entry.trackId);
    const stretch = track && labelRuns(track, annotations.annotations?.frameCount ?? 0).find((run) => run.from <= entry.from && entry.from <= run.to);
    if (!stretch) throw new Error(`Track ${entry.trackId} has no box at frame ${entry.from} any more`);
    await annotations.edit({ type: 'relabel-track', trackId: entry.trackId, from: stretch.from, to: stretch.to, label });
  }

  /**
   * Grad-CAM of the chosen run's model on one box. A newer request supersedes an older one (the core
   * stops the older one's worker): only the newest answer, or failure, counts.
   */
  async function explain(frame: number, trackId: number): Promise<void> {
    if (!runId.value) return;
    const token = ++explainToken;
    explaining.value = true;
    try {
      const result = await useApi().explainBox({ runId: runId.value, frame, trackId, backend: backend.value });
      if (token === explainToken) explanation.value = result;
    } catch (error) {
      if (token === explainToken) throw error;
    } finally {
      if (token === explainToken) explaining.value = false;
    }
  }

  /** The strip of an entry's crops; a newer entry supersedes an older one still being cut. */
  async function showStrip(entry: ReviewEntry): Promise<void> {
    if (!runId.value) return;
    const token = ++stripToken;
    strip.value = null;
    try {
      const crops = await useApi().entryCrops({ runId: runId.value, trackId: entry.trackId, frames: stripFrames(entry) });
      if (token === stripToken) strip.value = { entry, crops };
    } catch (error) {
      if (token === stripToken) throw error;
    }
  }

  return {
    runId,
    compareRunId,
    backend,
    predictions,
    comparison,
    queue,
    queueProblem,
    showOnBoxes,
    explanation,
    explaining,
    strip,
    predicted,
    compared,
    disagreements,
    differenceFrames,
    classFor,
    disagrees,
    verdict,
    choose,
    reload,
    keep,
    undoKeep,
    relabel,
    relabelStretch,
    explain,
    showStrip,
  };
});
