import { createTestingPinia } from '@pinia/testing';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { ProjectAnnotations } from '../../src/shared/annotations';
import { installConnection } from '../../src/renderer/src/api/client';
import { useAnnotationsStore } from '../../src/renderer/src/stores/annotations';
import { useLayoutStore } from '../../src/renderer/src/stores/layout';
import { useProjectStore } from '../../src/renderer/src/stores/project';
import DatasetView from '../../src/renderer/src/views/DatasetView.vue';
import { fakeApi } from './fake-api';

const annotations: ProjectAnnotations = { schema: 2, width: 64, height: 48, frameCount: 10, frameNames: [], tracks: [] };

describe('DatasetView', () => {
  it('names the dataset by its settings until a name is typed, and starts another project from the defaults for its media', async () => {
    const { api } = fakeApi();
    installConnection({ api, mediaUrl: (path) => `/media/${path}` });
    const pinia = createTestingPinia({ stubActions: false, createSpy: vi.fn });
    const project = useProjectStore(pinia);
    project.current = { path: '/a', name: 'a', settings: null, missingMedia: null, editingProxy: null };
    useAnnotationsStore(pinia).annotations = annotations;
    const wrapper = mount(DatasetView, { global: { plugins: [pinia] } });
    await flushPromises();
    const name = () => wrapper.get<HTMLInputElement>('[data-test=dataset-name]').element.value;
    const defaultName = name();
    await wrapper.get('[data-test=opt-stride]').setValue('7');
    expect(name()).toMatch(/-every7-/);
    await wrapper.get('[data-test=dataset-name]').setValue('mine');
    await wrapper.get('[data-test=opt-stride]').setValue('9');
    expect(name()).toBe('mine');

    project.current = { path: '/b', name: 'b', settings: null, missingMedia: null, editingProxy: null };
    await flushPromises();
    expect([wrapper.get<HTMLInputElement>('[data-test=opt-stride]').element.value, name()]).toEqual([defaultName.match(/every(\d+)/)![1], defaultName]);

    // A collection of photos takes every photo, once its annotations say it is one.
    project.current = { path: '/c', name: 'c', settings: null, missingMedia: null, editingProxy: null };
    useAnnotationsStore(pinia).annotations = { ...annotations, stills: true };
    await flushPromises();
    expect([wrapper.get<HTMLInputElement>('[data-test=opt-stride]').element.value, name()]).toEqual(['1', defaultName.replace(/every\d+/, 'every1')]);
    // And the view opened on one starts so.
    const opened = mount(DatasetView, { global: { plugins: [pinia] } });
    await flushPromises();
    expect(opened.get<HTMLInputElement>('[data-test=opt-stride]').element.value).toBe('1');
  });

  it('counts crops while it is shown, again after each edit and change of settings, and not at all while hidden', async () => {
    const { api } = fakeApi();
    installConnection({ api, mediaUrl: (path) => `/media/${path}` });
    const pinia = createTestingPinia({ stubActions: false, createSpy: vi.fn });
    useProjectStore(pinia).current = { path: '/a', name: 'a', settings: null, missingMedia: null, editingProxy: null };
    const store = useAnnotationsStore(pinia);
    store.annotations = annotations;
    const layout = useLayoutStore(pinia);
    const wrapper = mount(DatasetView, { global: { plugins: [pinia] } });
    const settled = async () => (await flushPromises(), await vi.advanceTimersByTimeAsync(200), await flushPromises());
    vi.useFakeTimers();
    try {
      await settled();
      store.revision++;
      await settled();
      expect(api.planDataset).not.toHaveBeenCalled();

      layout.view = 'dataset';
      await settled();
      expect(api.planDataset).toHaveBeenCalledTimes(1);
      store.revision++;
      await settled();
      await wrapper.get('[data-test=opt-stride]').setValue('7');
      await settled();
      expect(api.planDataset).toHaveBeenCalledTimes(3);
      expect(api.planDataset).toHaveBeenLastCalledWith({ options: expect.objectContaining({ stride: 7 }) });

      layout.view = 'annotate';
      await settled();
      store.revision++;
      await settled();
      expect(api.planDataset).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
