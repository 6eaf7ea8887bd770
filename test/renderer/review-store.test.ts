import { createTestingPinia } from '@pinia/testing';
import { flushPromises } from '@vue/test-utils';
import { setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AnnotationTrack, EditResult, ProjectAnnotations } from '../../src/shared/annotations';
import type { BoxPrediction, ProjectPredictions, ReviewEntry } from '../../src/shared/review';
import { packAnnotations } from '../../src/shared/packed-annotations';
import type { RunInfo } from '../../src/shared/runs';
import { installConnection } from '../../src/renderer/src/api/client';
import { useAnnotationsStore } from '../../src/renderer/src/stores/annotations';
import { useJobsStore } from '../../src/renderer/src/stores/jobs';
import { useProjectStore } from '../../src/renderer/src/stores/project';
import { useReviewStore } from '../../src/renderer/src/stores/review';
import { useTrainingStore } from '../../src/renderer/src/stores/training';
import { fakeApi, job } from './fake-api';

const box = { xtl: 0, ytl: 0, xbr: 10, ybr: 10, occluded: false, zOrder: 0, attributes: {} };
/** Track 1: MW for frames 0-9, NM from 10 on; track 2: ND throughout (30 frames). */
const tracks: AnnotationTrack[] = [
  {
    id: 1,
    shapes: [
      { frame: 0, ...box, label: 'MW', outside: false },
      { frame: 10, ...box, label: 'NM', outside: false },
    ],
  },
  { id: 2, shapes: [{ frame: 0, ...box, label: 'ND', outside: false }] },
];
const annotations: ProjectAnnotations = { schema: 2, width: 100, height: 100, frameCount: 30, frameNames: [], tracks };

const prediction = (frame: number, trackId: number, label: string, predicted: string): BoxPrediction => ({
  frame,
  trackId,
  label,
  box,
  predicted,
  probabilities: [0.8, 0.1, 0.1],
});
const predictionsOf = (runId: string, boxes: BoxPrediction[]): ProjectPredictions => ({
  schema: 1,
  runId,
  backend: 'wasm',
  labels: ['MW', 'NM'],
  from: 0,
  to: 29,
  complete: true,
  boxes,
});

/** An entry of track `trackId` over frames `from` to `to`. */
const entryOf = (trackId: number, from: number, to: number, annotated: string, suggested: string): ReviewEntry => ({
  trackId,
  from,
  to,
  annotated,
  suggested,
  boxes: Array.from({ length: to - from + 1 }, (_, i) => ({ frame: from + i, box, doubt: 0.9 })),
  wholeTrack: false,
  score: 0.9,
  doubt: 0.9,
  coverage: 1,
  contrast: 1,
});

function runWith(id: string, classes: 'MW,NM,ND' | 'MW,NM', ndPolicy: 'merge' | 'drop'): RunInfo {
  return { id, status: 'done', config: { dataset: { options: { classes, ndPolicy } } } } as unknown as RunInfo;
}

describe('review store', () => {
  let fake: ReturnType<typeof fakeApi>;

  beforeEach(() => {
    setActivePinia(createTestingPinia({ stubActions: false, createSpy: vi.fn }));
    fake = fakeApi();
    installConnection({ api: fake.api, mediaUrl: (path) => `/media/${path}` });
    fake.api.annotations.mockResolvedValue(packAnnotations(annotations));
    useTrainingStore().runs = [runWith('a', 'MW,NM', 'drop'), runWith('b', 'MW,NM', 'drop')];
  });
  afterEach(() => vi.unstubAllGlobals());

  it('marks the frames where the model disagrees with the labels as they are now, by the run’s classes', async () => {
    const store = useAnnotationsStore();
    await store.load();
    // Frame 12: the model says MW of an NM box; ND boxes are outside a run that dropped ND.
    const boxes = [prediction(5, 1, 'MW', 'MW'), prediction(12, 1, 'NM', 'MW'), prediction(20, 1, 'NM', 'NM'), prediction(12, 2, 'ND', 'NM')];
    fake.api.predictions.mockImplementation((async ({ runId }: { runId: string }) =>
      runId === 'a'
        ? predictionsOf('a', boxes)
        : predictionsOf(
            'b',
            boxes.map((entry) => (entry.frame === 20 ? { ...entry, predicted: 'MW' } : entry)),
          )) as never);
    const review = useReviewStore();
    await review.choose('a', 'b');
    expect([...review.disagreements.frames]).toEqual([12]);
    expect(review.disagreements.boxes).toBe(1);
    expect([...review.differenceFrames]).toEqual([20]);
    // Track 1 relabelled MW from frame 10 on: the model now agrees at 12 and disagrees at 20.
    const relabelled: EditResult = {
      tracks: [{ id: 1, shapes: [{ frame: 0, ...box, label: 'MW', outside: false }] }],
      removed: [],
      undo: 'label track 1 MW on frame 0',
      redo: null,
    };
    store.apply(relabelled);
    expect([...review.disagreements.frames]).toEqual([20]);
  });

  it('tells an entry still to decide from one whose label has changed since, on any of its boxes, or that was kept (saved in the run)', async () => {
    const store = useAnnotationsStore();
    await store.load();
    const review = useReviewStore();
    await review.choose('a', null);
    const entry = entryOf(1, 12, 13, 'NM', 'MW');
    expect(review.verdict(entry)).toBe('pending');
    await review.keep(entry);
    expect(fake.api.keepLabels).toHaveBeenCalledWith({
      runId: 'a',
      labels: [
        { frame: 12, trackId: 1, label: 'NM' },
        { frame: 13, trackId: 1, label: 'NM' },
      ],
      keep: true,
    });
    expect(review.verdict(entry)).toBe('kept');
    await review.keep(entry, false);
    expect(review.verdict(entry)).toBe('pending');
    expect(review.verdict({ ...entry, annotated: 'MW' })).toBe('changed');
    // Frame 9 of track 1 is MW now: an entry reaching back to it has changed.
    expect(review.verdict(entryOf(1, 9, 12, 'NM', 'MW'))).toBe('changed');
  });

  it('takes back a keep with undo while no edit has come since, and only then', async () => {
    const store = useAnnotationsStore();
    await store.load();
    const review = useReviewStore();
    await review.choose('a', null);
    const entry = entryOf(1, 12, 12, 'NM', 'MW');
    await review.keep(entry);
    expect(await review.undoKeep()).toBe(true);
    expect(review.verdict(entry)).toBe('pending');
    expect(await review.undoKeep()).toBe(false);
    await review.keep(entry);
    store.apply({ tracks: [], removed: [], undo: 'delete track 1', redo: null });
    // An edit came after the keep: undo is the edit's.
    expect(await review.undoKeep()).toBe(false);
    expect(review.verdict(entry)).toBe('kept');
  });

  it('drops an answer that comes back after a newer choice, and forgets a run deleted meanwhile', async () => {
    let answer: (value: ProjectPredictions) => void = () => {};
    fake.api.predictions.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)) as never);
    const review = useReviewStore();
    const slow = review.choose('a', null);
    await review.choose('b', null);
    answer(predictionsOf('a', [prediction(12, 1, 'NM', 'MW')]));
    await slow;
    expect(review.runId).toBe('b');
    expect(review.predictions).toBeNull();
    useTrainingStore().runs = [runWith('a', 'MW,NM', 'drop')];
    await Promise.resolve();
    expect(review.runId).toBeNull();
  });

  it('relabels exactly an entry’s boxes in one edit, or the whole stretch of the track that carries its label, and nothing beyond it', async () => {
    const store = useAnnotationsStore();
    await store.load();
    fake.api.editAnnotations.mockResolvedValue({ tracks: [], removed: [], undo: 'delete track 1', redo: null });
    const review = useReviewStore();
    await review.choose('a', null);
    await review.relabel(entryOf(1, 12, 15, 'NM', 'MW'), 'MW');
    expect(fake.api.editAnnotations).toHaveBeenLastCalledWith({ edit: { type: 'relabel-track', trackId: 1, from: 12, to: 15, label: 'MW' } });
    await review.relabelStretch(entryOf(1, 12, 15, 'NM', 'MW'), 'MW');
    expect(fake.api.editAnnotations).toHaveBeenLastCalledWith({ edit: { type: 'relabel-track', trackId: 1, from: 10, to: 29, label: 'MW' } });
    expect(fake.api.editAnnotations).toHaveBeenCalledTimes(2);
  });

  it('forgets the chosen runs when another project opens: their predictions would be drawn on its boxes', async () => {
    fake.api.predictions.mockResolvedValue(predictionsOf('a', [prediction(12, 1, 'NM', 'MW')]) as never);
    const review = useReviewStore();
    await review.choose('a', null);
    expect(review.predicted.size).toBe(1);
    useProjectStore().current = { path: '/other', name: 'other', settings: null, missingMedia: null, editingProxy: null };
    await Promise.resolve();
    expect(review.runId).toBeNull();
    expect(review.predicted.size).toBe(0);
  });

  it('reads the predictions again when a prediction or cross-fit ends, however it ended, and not for other jobs', async () => {
    vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => callback(0));
    const review = useReviewStore();
    await review.choose('a', null);
    expect(fake.api.predictions).toHaveBeenCalledOnce();
    fake.api.predictions.mockResolvedValue(predictionsOf('a', [prediction(12, 1, 'NM', 'MW')]) as never);
    const jobs = useJobsStore();
    jobs.receive({ type: 'job-started', job: job({ id: 'demo' }) });
    jobs.receive({ type: 'job-done', jobId: 'demo', kind: 'demo', result: { steps: 1 } });
    jobs.receive({ type: 'job-started', job: job({ id: 'p', kind: 'prediction' }) });
    // Cancelled part-way, the run keeps what it predicted so far (marked partial).
    jobs.receive({ type: 'job-cancelled', jobId: 'p' });
    await flushPromises();
    expect(fake.api.predictions).toHaveBeenCalledTimes(2);
    expect(review.predicted.size).toBe(1);
  });

  it('says why there is no queue when the run has no predictions yet', async () => {
    fake.api.reviewQueue.mockRejectedValue(Object.assign(new Error('Run a has no predictions on the project yet'), { code: 'not-found' }));
    const review = useReviewStore();
    await review.choose('a', null);
    expect(review.queue).toBeNull();
    expect(review.queueProblem).toBe('Run a has no predictions on the project yet');
  });

  it('shows an entry’s strip: at most eight of its frames, spread from first to last, and only the newest entry’s', async () => {
    const review = useReviewStore();
    await review.choose('a', null);
    const long = entryOf(1, 10, 29, 'NM', 'MW');
    await review.showStrip(long);
    expect(fake.api.entryCrops).toHaveBeenLastCalledWith({ runId: 'a', trackId: 1, frames: [10, 13, 15, 18, 21, 24, 26, 29] });
    expect(review.strip?.crops.map((crop) => crop.frame)).toEqual([10, 13, 15, 18, 21, 24, 26, 29]);
    // A slow answer for an older entry does not replace the newer entry's strip.
    let answer: (crops: { frame: number; crop: string }[]) => void = () => {};
    fake.api.entryCrops.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)) as never);
    const slow = review.showStrip(long);
    const short = entryOf(2, 3, 4, 'ND', 'NM');
    await review.showStrip(short);
    answer([{ frame: 10, crop: 'late' }]);
    await slow;
    expect(review.strip).toMatchObject({ entry: short, crops: [{ frame: 3 }, { frame: 4 }] });
  });
});
