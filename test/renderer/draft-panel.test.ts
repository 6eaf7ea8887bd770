import { createTestingPinia } from '@pinia/testing';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { AnnotationTrack } from '../../src/shared/annotations';
import type { PeopleDraft } from '../../src/shared/detect';
import { DEFAULT_LABELS } from '../../src/shared/project';
import type { RunInfo } from '../../src/shared/runs';
import { installConnection } from '../../src/renderer/src/api/client';
import DraftPanel from '../../src/renderer/src/components/annotate/DraftPanel.vue';
import { useAnnotationsStore } from '../../src/renderer/src/stores/annotations';
import { useAppStore } from '../../src/renderer/src/stores/app';
import { useProjectStore } from '../../src/renderer/src/stores/project';
import { useDraftStore } from '../../src/renderer/src/stores/draft';
import { usePlayerStore } from '../../src/renderer/src/stores/player';
import { useTrainingStore } from '../../src/renderer/src/stores/training';
import { fakeApi } from './fake-api';

const person = (id: number, x: number, label: string | null) => ({
  id,
  label,
  keyframes: [0, 20].map((frame) => ({ frame, xtl: x, ytl: 10, xbr: x + 30, ybr: 110, score: 0.8 })),
});
const draft: PeopleDraft = {
  schema: 1,
  detector: 'NanoDet',
  every: 1,
  from: 0,
  to: 99,
  threshold: 0.5,
  scale: 1,
  complete: true,
  labelledBy: 'run-1',
  framesDetected: 100,
  seconds: 30,
  tracks: [person(1, 0, 'MW'), person(2, 100, null), person(3, 200, 'ND')],
};
/** A labelled track where draft person 1 is: it is in the labels already. */
const labelled: AnnotationTrack = {
  id: 9,
  shapes: [0, 20].map((frame) => ({ frame, xtl: 1, ytl: 10, xbr: 31, ybr: 110, label: 'NM', occluded: false, outside: false, zOrder: 0, attributes: {} })),
};

function mountPanel() {
  const { api } = fakeApi();
  installConnection({ api, mediaUrl: (path) => path });
  const wrapper = mount(DraftPanel, {
    props: { labels: [...DEFAULT_LABELS] },
    global: { plugins: [createTestingPinia({ stubActions: false, createSpy: vi.fn })] },
  });
  return { wrapper, api, store: useDraftStore(), annotations: useAnnotationsStore(), player: usePlayerStore() };
}

describe('DraftPanel', () => {
  it('lists the draft`s people not yet in the labels, with their proposed labels, and accepts them as one edit', async () => {
    const { wrapper, api, store, annotations } = mountPanel();
    const nobody = { ...labelled, id: 12, shapes: labelled.shapes.map((shape) => ({ ...shape, xtl: 500, xbr: 530 })) };
    annotations.annotations = { schema: 2, width: 640, height: 360, frameCount: 100, frameNames: [], tracks: [labelled, nobody] };
    annotations.revision++;
    store.draft = draft;
    await flushPromises();
    const rows = wrapper.findAll('[data-test=draft-tracks] li[data-draft]');
    expect(rows.map((row) => row.attributes('data-draft'))).toEqual(['2', '3']);
    expect(rows[1]!.get('[data-test=proposed-label]').text()).toBe('ND?');
    expect(rows[0]!.find('[data-test=proposed-label]').exists()).toBe(false);
    expect(wrapper.get('[data-test=draft-summary]').text()).toContain('2 people not in the labels, of 3 found in frames 0-99');
    expect(wrapper.get('[data-test=not-found]').text()).toContain('the detector found no one where track 12 has its box');

    await wrapper.get('[data-test=accept-proposed]').trigger('click');
    expect(api.editAnnotations).toHaveBeenCalledWith({
      edit: { type: 'add-tracks', tracks: [{ label: 'ND', keyframes: draft.tracks[2]!.keyframes.map(({ score: _, ...box }) => box) }] },
    });
    await rows[0]!.get('[data-test=accept-NM]').trigger('click');
    expect(api.editAnnotations).toHaveBeenLastCalledWith({ edit: { type: 'add-tracks', tracks: [expect.objectContaining({ label: 'NM' })] } });
  });

  it('finds people in the marked range, with the chosen run proposing labels', async () => {
    const { wrapper, api, player } = mountPanel();
    // A finished run with a model, named as the Runs view names it; a run that failed has no model to offer.
    const dataset = { name: 'heads' };
    useTrainingStore().runs = [
      { id: 'run-1', name: 'heads conv-bn', status: 'done', config: { dataset }, summary: { test: { accuracy: 0.912 } } },
      { id: 'run-2', name: 'broken', status: 'failed', config: { dataset } },
    ] as unknown as RunInfo[];
    player.reset(100, 25);
    player.range = { from: 10, to: 40 };
    await flushPromises();
    expect(wrapper.findAll('[data-test=draft-run] option').map((option) => option.text())).toEqual([
      'ND where no face shows, the rest to me',
      'proposed by heads conv-bn · test 91.2%',
    ]);
    await wrapper.get('[data-test=draft-run]').setValue('run-1');
    expect(wrapper.get('[data-test=find-people]').text()).toBe('In frames 10-40');
    await wrapper.get('[data-test=find-people]').trigger('click');
    expect(api.startDetection).toHaveBeenCalledWith({ options: { from: 10, to: 40, runId: 'run-1', replace: true } });
  });

  it('says so when the project`s draft cannot be read, and shows no draft', async () => {
    const { wrapper, api } = mountPanel();
    api.peopleDraft.mockRejectedValueOnce(new Error('/data/walkway/drafts/people.json: "tracks[0].keyframes" must be a list, got 3'));
    useProjectStore().current = { path: '/data/walkway', name: 'walkway', settings: null, missingMedia: null, editingProxy: null };
    await flushPromises();
    expect(useAppStore().notices).toEqual([expect.objectContaining({ kind: 'error', text: expect.stringContaining('drafts/people.json') })]);
    expect(wrapper.find('[data-test=draft-summary]').exists()).toBe(false);
  });
});
