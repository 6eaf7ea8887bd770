import { createTestingPinia } from '@pinia/testing';
import { setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installConnection } from '../../src/renderer/src/api/client';
import { useAppStore } from '../../src/renderer/src/stores/app';
import { useJobsStore } from '../../src/renderer/src/stores/jobs';
import { fakeApi, job } from './fake-api';

describe('jobs store', () => {
  let frames: FrameRequestCallback[];

  beforeEach(() => {
    frames = [];
    vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => frames.push(callback));
    setActivePinia(createTestingPinia({ stubActions: false, createSpy: vi.fn }));
    installConnection({ api: fakeApi().api, mediaUrl: (path) => `/media/${path}` });
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
});
