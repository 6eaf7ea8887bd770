import { createTestingPinia } from '@pinia/testing';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { ProjectAnnotations } from '../../src/shared/annotations';
import { installConnection } from '../../src/renderer/src/api/client';
import { useAnnotationsStore } from '../../src/renderer/src/stores/annotations';
import { useProjectStore } from '../../src/renderer/src/stores/project';
import DatasetView from '../../src/renderer/src/views/DatasetView.vue';
import { fakeApi } from './fake-api';

const annotations: ProjectAnnotations = { schema: 1, width: 64, height: 48, frameCount: 10, frameNames: [], tracks: [] };

describe('DatasetView', () => {
  it('names the dataset by its settings until a name is typed, and starts another project from the defaults', async () => {
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
  });
});
