import { createTestingPinia } from '@pinia/testing';
import { flushPromises } from '@vue/test-utils';
import { setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DatasetPreview } from '../../src/shared/api';
import type { ProjectImportReport } from '../../src/shared/annotations';
import { DATASET_DEFAULTS } from '../../src/shared/dataset';
import type { DatasetSummary } from '../../src/shared/dataset';
import { installConnection } from '../../src/renderer/src/api/client';
import { useAppStore } from '../../src/renderer/src/stores/app';
import { useDatasetsStore } from '../../src/renderer/src/stores/datasets';
import { useImportsStore } from '../../src/renderer/src/stores/imports';
import { useJobsStore, type JobEnding } from '../../src/renderer/src/stores/jobs';
import { useLayoutStore } from '../../src/renderer/src/stores/layout';
import { useProjectStore } from '../../src/renderer/src/stores/project';
import { useTrainingStore } from '../../src/renderer/src/stores/training';
import { fakeApi, job } from './fake-api';

const summary: DatasetSummary = {
  name: 'heads',
  path: '/p/datasets/heads',
  crops: 10,
  reused: 0,
  counts: { train: {}, val: {}, test: {} },
  warnings: [],
  seconds: 1,
  cropsPerSecond: 10,
};
const preview: DatasetPreview = {
  name: 'heads',
  builtAt: 2,
  path: '/p/datasets/heads',
  options: DATASET_DEFAULTS,
  labels: ['MW', 'NM'],
  counts: { train: {}, val: {}, test: {} },
  warnings: [],
  examples: [],
};
const report: ProjectImportReport = {
  source: '/data/walkway.xml',
  format: 'cvat-video',
  frames: 30,
  boxes: 120,
  tracks: 5,
  tracksFormed: 0,
  labels: { MW: 120 },
  mapped: {},
  unknownLabels: {},
  problems: [],
  project: '/p',
  original: '/p/imports/walkway.xml',
  createdProject: false,
};

describe('jobs store', () => {
  let frames: FrameRequestCallback[];
  let fake: ReturnType<typeof fakeApi>;

  beforeEach(() => {
    frames = [];
    vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => frames.push(callback));
    setActivePinia(createTestingPinia({ stubActions: false, createSpy: vi.fn }));
    fake = fakeApi();
    installConnection({ api: fake.api, mediaUrl: (path) => `/media/${path}` });
  });
  afterEach(() => vi.unstubAllGlobals());

  const nextFrame = () => frames.splice(0).forEach((callback) => callback(0));

  it('applies a burst of events once, on the next animation frame', () => {
    const jobs = useJobsStore();
    jobs.receive({ type: 'job-started', job: job() });
    for (let done = 1; done <= 50; done++) jobs.receive({ type: 'job-progress', jobId: 'job-1', progress: { done, total: 50 } });
    expect(frames).toHaveLength(1);
    expect(jobs.list).toEqual([]);
    nextFrame();
    expect(jobs.active).toEqual([expect.objectContaining({ id: 'job-1', progress: { done: 50, total: 50 } })]);
  });

  it('tells the time a running job has left at its pace since its progress was first heard of', () => {
    const jobs = useJobsStore();
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_000_000);
    jobs.receive({ type: 'job-started', job: job({ state: 'running' }) });
    jobs.receive({ type: 'job-progress', jobId: 'job-1', progress: { done: 10, total: 110 } });
    nextFrame();
    // Too soon to tell, then 20 done in 10 s: 80 more take 40 s.
    now.mockReturnValue(1_004_000);
    jobs.receive({ type: 'job-progress', jobId: 'job-1', progress: { done: 20, total: 110 } });
    nextFrame();
    expect(jobs.secondsLeft(jobs.active[0]!)).toBeNull();
    now.mockReturnValue(1_010_000);
    jobs.receive({ type: 'job-progress', jobId: 'job-1', progress: { done: 30, total: 110 } });
    nextFrame();
    expect(jobs.secondsLeft(jobs.active[0]!)).toBeCloseTo(40);
    now.mockRestore();
  });

  it('says once that a job ended, and takes it off the running list', () => {
    const jobs = useJobsStore();
    const app = useAppStore();
    jobs.receive({ type: 'job-started', job: job() });
    jobs.receive({ type: 'job-failed', jobId: 'job-1', error: { code: 'io-error', message: 'disk full' } });
    nextFrame();
    expect(jobs.active).toEqual([]);
    expect(jobs.list[0]).toMatchObject({ state: 'failed', error: { message: 'disk full' } });
    expect(app.notices).toEqual([expect.objectContaining({ kind: 'error', text: 'Test job failed: disk full' })]);
  });

  it('ignores events of jobs it never heard of instead of failing', () => {
    const jobs = useJobsStore();
    jobs.receive({ type: 'job-progress', jobId: 'other', progress: { done: 1, total: 2 } });
    expect(() => nextFrame()).not.toThrow();
    expect(jobs.list).toEqual([]);
  });

  it('tells a subscriber how each job of its kinds ended, and nothing of other kinds', () => {
    const jobs = useJobsStore();
    const endings: Array<JobEnding<'dataset'>> = [];
    jobs.onJobEnd(['dataset'], (ending) => endings.push(ending));
    jobs.receive({ type: 'job-started', job: job({ id: 'demo' }) });
    jobs.receive({ type: 'job-started', job: job({ id: 'built', kind: 'dataset' }) });
    jobs.receive({ type: 'job-started', job: job({ id: 'stopped', kind: 'dataset' }) });
    jobs.receive({ type: 'job-done', jobId: 'demo', kind: 'demo', result: { steps: 3 } });
    jobs.receive({ type: 'job-done', jobId: 'built', kind: 'dataset', result: summary });
    jobs.receive({ type: 'job-cancelled', jobId: 'stopped' });
    nextFrame();
    expect(endings).toEqual([
      { state: 'done', job: expect.objectContaining({ id: 'built', state: 'done' }), result: summary },
      { state: 'cancelled', job: expect.objectContaining({ id: 'stopped', state: 'cancelled' }) },
    ]);
  });

  it('reports a subscriber that fails, and still tells the others', async () => {
    const jobs = useJobsStore();
    const told = vi.fn();
    jobs.onJobEnd(['demo'], async () => {
      throw new Error('could not read the runs');
    });
    jobs.onJobEnd(['demo'], told);
    jobs.receive({ type: 'job-started', job: job() });
    jobs.receive({ type: 'job-done', jobId: 'job-1', kind: 'demo', result: { steps: 3 } });
    nextFrame();
    await flushPromises();
    expect(told).toHaveBeenCalledOnce();
    expect(useAppStore().notices).toContainEqual(expect.objectContaining({ kind: 'error', text: expect.stringContaining('could not read the runs') }));
  });

  it('stops telling a store once it is disposed', () => {
    const jobs = useJobsStore();
    useTrainingStore().$dispose();
    jobs.receive({ type: 'job-started', job: job({ kind: 'training' }) });
    jobs.receive({ type: 'job-running', jobId: 'job-1' });
    jobs.receive({ type: 'job-cancelled', jobId: 'job-1' });
    nextFrame();
    expect(fake.api.listRuns).not.toHaveBeenCalled();
  });

  it('has the training store read the runs as a run starts and ends, and follow the figures it streams', async () => {
    const jobs = useJobsStore();
    const training = useTrainingStore();
    jobs.receive({ type: 'job-started', job: job({ id: 'demo' }) });
    jobs.receive({ type: 'job-cancelled', jobId: 'demo' });
    jobs.receive({ type: 'job-started', job: job({ id: 't', kind: 'training', state: 'queued' }) });
    jobs.receive({ type: 'job-running', jobId: 't' });
    nextFrame();
    expect(fake.api.listRuns).toHaveBeenCalledOnce();
    jobs.receive({ type: 'job-metrics', jobId: 't', report: { kind: 'batch', epoch: 1, batch: 2, batches: 4, loss: 0.7, accuracy: 0.5 } });
    nextFrame();
    expect(training.live.t?.batch).toMatchObject({ batch: 2, loss: 0.7 });
    jobs.receive({ type: 'job-failed', jobId: 't', error: { code: 'internal', message: 'out of memory' } });
    nextFrame();
    await flushPromises();
    // Running, the first figures (the run's folder now exists) and the end.
    expect(fake.api.listRuns).toHaveBeenCalledTimes(3);
  });

  it('has the datasets store read the list when a project opens, and once more when a dataset build or a sweep ends', async () => {
    const jobs = useJobsStore();
    const datasets = useDatasetsStore();
    expect(fake.api.listDatasets).not.toHaveBeenCalled();
    useProjectStore().current = { path: '/p', name: 'p', settings: null, missingMedia: null, editingProxy: null };
    await flushPromises();
    expect(fake.api.listDatasets).toHaveBeenCalledOnce();
    fake.api.listDatasets.mockResolvedValue([preview]);
    jobs.receive({ type: 'job-started', job: job({ id: 'demo' }) });
    jobs.receive({ type: 'job-started', job: job({ id: 'build', kind: 'dataset' }) });
    jobs.receive({ type: 'job-done', jobId: 'demo', kind: 'demo', result: { steps: 3 } });
    jobs.receive({ type: 'job-done', jobId: 'build', kind: 'dataset', result: summary });
    nextFrame();
    await flushPromises();
    expect(fake.api.listDatasets).toHaveBeenCalledTimes(2);
    expect(datasets.list).toEqual([preview]);
    // A sweep cut short may have built some of its datasets.
    jobs.receive({ type: 'job-started', job: job({ id: 'sweep', kind: 'sweep' }) });
    jobs.receive({ type: 'job-cancelled', jobId: 'sweep' });
    nextFrame();
    expect(fake.api.listDatasets).toHaveBeenCalledTimes(3);
  });

  it('keeps the report of an import that ended, says what it read, and opens the report when it found problems', () => {
    const jobs = useJobsStore();
    const imports = useImportsStore();
    const layout = useLayoutStore();
    jobs.receive({ type: 'job-started', job: job({ id: 'clean', kind: 'import' }) });
    jobs.receive({ type: 'job-done', jobId: 'clean', kind: 'import', result: report });
    nextFrame();
    expect(imports.lastReport).toEqual(report);
    expect(useAppStore().notices).toEqual([expect.objectContaining({ kind: 'info', text: 'Imported 120 boxes in 5 tracks' })]);
    expect(layout.overlay).toBeNull();
    // One of each is said in the singular.
    const problems: ProjectImportReport = {
      ...report,
      boxes: 1,
      tracks: 1,
      problems: [{ severity: 'warning', message: 'Frame 31 is past the end of the video' }],
    };
    jobs.receive({ type: 'job-started', job: job({ id: 'messy', kind: 'import' }) });
    jobs.receive({ type: 'job-done', jobId: 'messy', kind: 'import', result: problems });
    nextFrame();
    expect(imports.lastReport).toEqual(problems);
    expect(useAppStore().notices.at(-1)?.text).toBe('Imported 1 box in 1 track, with 1 warning');
    expect(layout.overlay).toBe('import-report');
    // Boxes left out are errors, said apart from the warnings.
    const errors: ProjectImportReport = {
      ...problems,
      problems: [...problems.problems, ...[1, 2].map((n) => ({ severity: 'error' as const, message: `Box ${n} lies wholly outside the frame` }))],
    };
    jobs.receive({ type: 'job-started', job: job({ id: 'worse', kind: 'import' }) });
    jobs.receive({ type: 'job-done', jobId: 'worse', kind: 'import', result: errors });
    nextFrame();
    expect(useAppStore().notices.at(-1)?.text).toBe('Imported 1 box in 1 track, with 2 errors and 1 warning');
  });
});
