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
type Wrapper = ReturnType<typeof mountNotices>['wrapper'];
const shown = (wrapper: Wrapper) => wrapper.findAll('[data-test=notice] .text').map((item) => item.text());
const listed = (wrapper: Wrapper) => wrapper.findAll('[data-test=notice-listed] .whole').map((item) => item.text());

describe('NoticeList', () => {
  afterEach(() => vi.useRealTimers());

  it('shows the newest notice; notes fade by themselves, errors stay until dismissed or another project opens', async () => {
    vi.useFakeTimers();
    const { wrapper, app, project } = mountNotices();
    project.current = { path: '/a', name: 'a', settings: null, missingMedia: null, editingProxy: null };
    await wrapper.vm.$nextTick();
    app.notify('The video cannot be read', 'error');
    app.notify('Saved the report');
    await wrapper.vm.$nextTick();
    expect(shown(wrapper)).toEqual(['Saved the report']);
    expect(wrapper.get('[data-test=notice-more]').text()).toBe('+1');
    vi.advanceTimersByTime(60_000);
    await wrapper.vm.$nextTick();
    expect(shown(wrapper)).toEqual(['The video cannot be read']);
    expect(wrapper.find('[data-test=notice-more]').exists()).toBe(false);
    app.notify('Port in use', 'error');
    project.current = { path: '/b', name: 'b', settings: null, missingMedia: null, editingProxy: null };
    await wrapper.vm.$nextTick();
    expect(shown(wrapper)).toEqual([]);
  });

  it('shows a lone notice whole in the list when its line is clicked, as a long one is cut short', async () => {
    const { wrapper, app } = mountNotices();
    const long = `In dataset "heads-every5-64px", MW has no crops in train (val 31, test 45): ${'a model never predicts it. '.repeat(4)}`.trim();
    app.notify(long, 'error');
    await wrapper.vm.$nextTick();
    expect(wrapper.find('[data-test=notice-more]').exists()).toBe(false);
    await wrapper.get('[data-test=notice-text]').trigger('click');
    expect(listed(wrapper)).toEqual([long]);
    await wrapper.get('[data-test=notice-text]').trigger('click');
    expect(listed(wrapper)).toEqual([]);
  });

  it('lists every notice whole, newest first, from +N; an action there runs and dismisses its notice', async () => {
    const { wrapper, app } = mountNotices();
    const undo = vi.fn();
    app.notify('Deleted track 4: 80 boxes, frames 0-79', 'info', [{ label: 'Undo', run: undo }]);
    for (const text of ['one', 'two']) app.notify(text, 'error');
    await wrapper.vm.$nextTick();
    await wrapper.get('[data-test=notice-more]').trigger('click');
    expect(listed(wrapper)).toEqual(['two', 'one', 'Deleted track 4: 80 boxes, frames 0-79']);
    await wrapper.findAll('[data-test=notice-listed]').at(-1)!.get('button').trigger('click');
    expect(undo).toHaveBeenCalledOnce();
    expect(listed(wrapper)).toEqual(['two', 'one']);
    await wrapper.get('[data-test=notice-dismiss]').trigger('click');
    expect(shown(wrapper)).toEqual(['one']);
    await wrapper.get('[data-test=notice-dismiss]').trigger('click');
    expect(wrapper.find('[data-test=notice-list]').exists()).toBe(false);
  });
});
