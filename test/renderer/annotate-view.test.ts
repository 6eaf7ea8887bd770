import { createTestingPinia } from '@pinia/testing';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { DEFAULT_LABELS, type ProjectSettings } from '../../src/shared/project';
import { packAnnotations } from '../../src/shared/packed-annotations';
import { installConnection } from '../../src/renderer/src/api/client';
import { useJobsStore } from '../../src/renderer/src/stores/jobs';
import { usePlayerStore } from '../../src/renderer/src/stores/player';
import { useProjectStore } from '../../src/renderer/src/stores/project';
import AnnotateView from '../../src/renderer/src/views/AnnotateView.vue';
import { fakeApi, job } from './fake-api';

/** `stubs`: components left out (happy-dom has no canvas to paint the timeline on). */
function mountView(stubs: Record<string, boolean> = {}) {
  const { api } = fakeApi();
  installConnection({ api, mediaUrl: (path) => `maskbench-media://file/${encodeURIComponent(path)}` });
  const wrapper = mount(AnnotateView, { global: { plugins: [createTestingPinia({ stubActions: false, createSpy: vi.fn })], stubs } });
  return { wrapper, api, jobs: useJobsStore(), project: useProjectStore() };
}

/** An open project named `name` whose media is `media`, with the default labels. */
function openProject(name: string, path: string, media: NonNullable<ProjectSettings['media']>) {
  return { path, name, settings: { schema: 1 as const, name, media, labels: [...DEFAULT_LABELS], labelMapping: {} }, missingMedia: null, editingProxy: null };
}

describe('AnnotateView', () => {
  it('with no project, says what to do and opens the sample project on request', async () => {
    const { wrapper, api } = mountView();
    expect(wrapper.get('[data-test=empty-state]').text()).toContain('Open a project to start annotating');
    await wrapper.get('[data-test=open-sample]').trigger('click');
    expect(api.openSampleProject).toHaveBeenCalledOnce();
  });

  it('shows the sample project’s preparation while its job runs', async () => {
    const { wrapper, jobs } = mountView();
    jobs.byId = {
      s: job({ id: 's', kind: 'sample', title: 'Preparing the sample project', progress: { done: 300, total: 1500, message: 'Rendering frame 300 of 1500' } }),
    };
    await wrapper.vm.$nextTick();
    expect(wrapper.find('[data-test=empty-state]').exists()).toBe(false);
    expect(wrapper.get('[data-test=preparing-progress]').text()).toBe('Rendering frame 300 of 1500');
    expect(wrapper.get('progress').attributes()).toMatchObject({ value: '300', max: '1500' });
  });

  it('shows an open project’s media and plays its video through the media URL', async () => {
    const { wrapper, project } = mountView();
    project.current = openProject('Walkway', '/data/walkway', {
      kind: 'video',
      path: 'media/walkway.mp4',
      fps: 25,
      frameCount: 1500,
      width: 1280,
      height: 720,
    });
    await wrapper.vm.$nextTick();
    expect(wrapper.get('[data-test=media-summary]').text()).toBe('Video media/walkway.mp4 · 1,500 frames · 1280×720 · 25 fps');
    expect(wrapper.get('video').attributes('src')).toBe(`maskbench-media://file/${encodeURIComponent('/data/walkway/media/walkway.mp4')}`);
  });

  it('plays the editing proxy once it is made, and says what to do about a video the window cannot play', async () => {
    // happy-dom plays no video: the player's frame callback is left unanswered.
    const prototype = HTMLVideoElement.prototype as Partial<HTMLVideoElement>;
    prototype.requestVideoFrameCallback = () => 0;
    prototype.cancelVideoFrameCallback = () => {};
    onTestFinished(() => void (delete prototype.requestVideoFrameCallback, delete prototype.cancelVideoFrameCallback));
    const { wrapper, project, jobs, api } = mountView({ TimelineBar: true });
    const media = { kind: 'video' as const, path: 'cctv.mp4', fps: 25, frameCount: 90000, width: 3840, height: 2160 };
    api.annotations.mockResolvedValue(packAnnotations({ schema: 2, width: 3840, height: 2160, frameCount: 90000, frameNames: [], tracks: [] }));
    project.current = openProject('CCTV', '/data/cctv', media);
    // The proxy of the project left before this one says nothing about this video.
    jobs.byId = { o: job({ id: 'o', kind: 'proxy', project: '/data/other', title: 'Making an editing proxy of other.mp4' }) };
    await flushPromises();
    expect(wrapper.find('[data-test=proxy-note]').exists()).toBe(false);
    jobs.byId = {
      p: job({ id: 'p', kind: 'proxy', project: '/data/cctv', title: 'Making an editing proxy of cctv.mp4', progress: { done: 10, total: 90000 } }),
    };
    await flushPromises();
    expect(wrapper.find('[data-test=picture-source]').exists()).toBe(false);
    expect(wrapper.get('[data-test=proxy-note]').text()).toContain('An editing proxy of this video is being made');
    await wrapper.get('video').trigger('error');
    expect(wrapper.get('[data-test=stage-error]').text()).toBe(
      'This window cannot play the video: an editing proxy that plays here is being made (see the status bar), and the video shows once it is ready',
    );

    jobs.byId = {};
    project.current = { ...project.current!, editingProxy: '/data/cctv/proxy/editing.mp4' };
    await flushPromises();
    expect(wrapper.get('video').attributes('src')).toBe(`maskbench-media://file/${encodeURIComponent('/data/cctv/proxy/editing.mp4')}`);
    // The error belonged to the other file.
    expect(wrapper.find('[data-test=stage-error]').exists()).toBe(false);
    expect(wrapper.get('[data-test=picture-source]').text()).toBe('proxy');
    expect(wrapper.find('[data-test=proxy-note]').exists()).toBe(false);
    await wrapper.get('[data-test=picture-source]').trigger('click');
    expect(wrapper.get('video').attributes('src')).toBe(`maskbench-media://file/${encodeURIComponent('/data/cctv/cctv.mp4')}`);
    await wrapper.get('video').trigger('error');
    expect(wrapper.get('[data-test=stage-error]').text()).toBe('This window cannot play the video: switch back to the editing proxy');
  });

  it('shows each photo of a collection whole, at its own size', async () => {
    const { wrapper, project, api } = mountView({ TimelineBar: true });
    api.annotations.mockResolvedValue(
      packAnnotations({
        schema: 2,
        width: 512,
        height: 366,
        frameSizes: [
          { width: 512, height: 366 },
          { width: 301, height: 400 },
        ],
        stills: true,
        frameCount: 2,
        frameNames: ['a.png', 'b.png'],
        tracks: [],
      }),
    );
    project.current = openProject('Photos', '/data/photos', { kind: 'frames', path: 'images', fps: 25, frameCount: 2, width: 512, height: 366 });
    await flushPromises();
    // The stage has no size here, so the scale is 1: the frame's box is the photo's own size.
    const shown = () => wrapper.get('.frame').attributes('style');
    await wrapper.get('[data-test=frame-image]').trigger('load');
    expect(shown()).toContain('width: 512px; height: 366px');
    usePlayerStore().seek(1);
    await wrapper.vm.$nextTick();
    expect(wrapper.get('[data-test=frame-image]').attributes('src')).toContain(encodeURIComponent('images/b.png'));
    await wrapper.get('[data-test=frame-image]').trigger('load');
    expect(shown()).toContain('width: 301px; height: 400px');
  });
});
