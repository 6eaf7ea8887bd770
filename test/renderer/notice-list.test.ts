import { createTestingPinia } from '@pinia/testing';
import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import NoticeList from '../../src/renderer/src/components/NoticeList.vue';
import { useAppStore } from '../../src/renderer/src/stores/app';
import { useProjectStore } from '../../src/renderer/src/stores/project';

function mountNotices() {
  const wrapper = mount(NoticeList, { global: { plugins: [createTestingPinia({ stubActions: false, createSpy: vi.fn })] } });
  return { wrapper, app: useAppStore(), project: useProjectStore() };
}
const texts = (wrapper: ReturnType<typeof mountNotices>['wrapper']) => wrapper.findAll('[data-test=notice] .text').map((item) => item.text());

describe('NoticeList', () => {
  afterEach(() => vi.useRealTimers());

  it('lets notes fade by themselves and keeps errors until read: clicked, dismissed, or another project opened', async () => {
    vi.useFakeTimers();
    const { wrapper, app, project } = mountNotices();
    project.current = { path: '/a', name: 'a', settings: null } as never;
    await wrapper.vm.$nextTick();
    app.notify('Saved the report');
    app.notify('The video cannot be read', 'error');
    app.notify('Port in use', 'error');
    await wrapper.vm.$nextTick();
    expect(texts(wrapper)).toEqual(['Saved the report', 'The video cannot be read', 'Port in use']);
    vi.advanceTimersByTime(60_000);
    await wrapper.vm.$nextTick();
    expect(texts(wrapper)).toEqual(['The video cannot be read', 'Port in use']);
    await wrapper.get('[data-test=notice] .text').trigger('click');
    expect(texts(wrapper)).toEqual(['Port in use']);
    project.current = { path: '/b', name: 'b', settings: null } as never;
    await wrapper.vm.$nextTick();
    expect(texts(wrapper)).toEqual([]);
  });

  it('shows the newest three, and an older one again once a newer one goes', async () => {
    const { wrapper, app } = mountNotices();
    for (const text of ['one', 'two', 'three', 'four']) app.notify(text, 'error');
    await wrapper.vm.$nextTick();
    expect(texts(wrapper)).toEqual(['two', 'three', 'four']);
    await wrapper.findAll('[data-test=notice-dismiss]').at(-1)!.trigger('click');
    expect(texts(wrapper)).toEqual(['one', 'two', 'three']);
  });
});
