import { createTestingPinia } from '@pinia/testing';
import { mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { installConnection } from '../../src/renderer/src/api/client';
import StatusBar from '../../src/renderer/src/components/StatusBar.vue';
import { progressText, timeLeft } from '../../src/renderer/src/components/job-progress';
import { useAppStore } from '../../src/renderer/src/stores/app';
import { useJobsStore } from '../../src/renderer/src/stores/jobs';
import { appInfo, fakeApi, job } from './fake-api';

function mountStatusBar() {
  const { api } = fakeApi();
  installConnection({ api, mediaUrl: (path) => `/media/${path}` });
  const wrapper = mount(StatusBar, { global: { plugins: [createTestingPinia({ stubActions: false, createSpy: vi.fn })] } });
  return { wrapper, api, app: useAppStore(), jobs: useJobsStore() };
}

describe('StatusBar', () => {
  it('names the backend that will train: the first one installed, or what auto found once asked', async () => {
    const { wrapper, app } = mountStatusBar();
    app.info = appInfo;
    await wrapper.vm.$nextTick();
    expect(wrapper.get('[data-test=backend]').text()).toBe('auto: CPU · @tensorflow/tfjs-backend-wasm');
    app.info = { ...appInfo, backends: appInfo.backends.map((backend) => ({ ...backend, available: false })) };
    await wrapper.vm.$nextTick();
    expect(wrapper.get('[data-test=backend]').text()).toBe('No training backend installed');
    // Once the Train view has asked what auto trains on: the compute page's GPU, named.
    app.autoBackend = { name: 'webgpu', package: '@tensorflow/tfjs-backend-webgpu', usesGpu: true, device: 'nvidia ampere', passedOver: [] };
    await wrapper.vm.$nextTick();
    expect(wrapper.get('[data-test=backend]').text()).toBe('auto: GPU · @tensorflow/tfjs-backend-webgpu · nvidia ampere');
  });

  it('shows running jobs with progress, and cancels the one clicked', async () => {
    const { wrapper, jobs, api } = mountStatusBar();
    jobs.byId = {
      a: job({ id: 'a', title: 'Build dataset', progress: { done: 3, total: 12, message: 'Cutting frame 40 (3 of 12)' } }),
      b: job({ id: 'b', state: 'done', progress: { done: 1499, total: 1500 } }),
      // A cross-fit counts folds in fractions.
      c: job({ id: 'c', title: 'Cross-fit', progress: { done: 1 / 3, total: 6 } }),
    };
    await wrapper.vm.$nextTick();
    const shown = wrapper.findAll('[data-test=job]');
    expect(shown.map((entry) => entry.get('[data-test=job-progress]').text())).toEqual(['Cutting frame 40 (3 of 12) · 25%', '0 of 6 · 5%']);
    expect(shown[0]!.text()).toContain('Build dataset');
    await shown[0]!.get('[data-test=job-cancel]').trigger('click');
    expect(api.cancelJob).toHaveBeenCalledWith({ jobId: 'a' });
  });

  it('shows two jobs in full, running ones first, and counts the rest of a sweep', async () => {
    const { wrapper, jobs } = mountStatusBar();
    jobs.byId = Object.fromEntries(
      ['q1', 'r1', 'q2', 'r2', 'r3'].map((id) => [id, job({ id, title: `Training ${id}`, state: id.startsWith('q') ? 'queued' : 'running' })]),
    );
    await wrapper.vm.$nextTick();
    expect(wrapper.findAll('[data-test=job]').map((entry) => entry.attributes('data-job-id'))).toEqual(['r1', 'r2']);
    const more = wrapper.get('[data-test=jobs-more]');
    expect(more.text()).toBe('+3 more (2 queued)');
    expect(more.attributes('title')).toBe('Training r3\nTraining q1\nTraining q2');
  });

  it.each([
    [{ state: 'queued', progress: null }, 'queued'],
    [{ state: 'running', progress: null }, 'starting'],
    [{ state: 'done', progress: { done: 1499, total: 1500 } }, 'finished'],
    [{ state: 'cancelled', progress: { done: 57, total: 400, message: 'Step 57 of 400' } }, 'stopped at: Step 57 of 400 · 14%'],
    [{ state: 'failed', progress: null }, 'stopped before it began'],
  ] as const)('words a job %j as %j', (state, words) => {
    expect(progressText(state)).toBe(words);
  });

  it('adds the time left to a running job, as a person would say it', () => {
    const running = { state: 'running', progress: { done: 30, total: 120, message: 'Finding people: frame 30 of 0-119' } } as const;
    expect(progressText(running, 754)).toBe('Finding people: frame 30 of 0-119 · 25% · about 13 min left');
    expect(progressText(running, null)).toBe('Finding people: frame 30 of 0-119 · 25%');
    expect([timeLeft(3), timeLeft(44), timeLeft(5400), timeLeft(9000)]).toEqual(['about 10 s left', 'about 40 s left', 'about 1.5 h left', 'about 2.5 h left']);
  });

  it('reports a failed cancel as an error notice', async () => {
    const { wrapper, jobs, api, app } = mountStatusBar();
    api.cancelJob.mockRejectedValueOnce(new Error('gone'));
    jobs.byId = { a: job({ id: 'a' }) };
    await wrapper.vm.$nextTick();
    await wrapper.get('[data-test=job-cancel]').trigger('click');
    await vi.waitFor(() => expect(app.notices).toEqual([expect.objectContaining({ kind: 'error', text: 'gone' })]));
  });
});
