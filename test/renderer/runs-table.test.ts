// The Runs view's table: a best validation figure chosen on a thin validation part is marked as such.

import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { DATASET_DEFAULTS } from '../../src/shared/dataset';
import { TRAINING_DEFAULTS, type RunInfo } from '../../src/shared/runs';
import RunsTable from '../../src/renderer/src/components/runs/RunsTable.vue';

function runOn(id: string, val: Record<string, number>): RunInfo {
  return {
    id,
    path: `/p/runs/${id}`,
    name: null,
    tags: [],
    status: 'done',
    epochs: 3,
    config: {
      schema: 1,
      id,
      createdAt: '2026-11-27T10:00:00.000Z',
      group: null,
      options: { ...TRAINING_DEFAULTS, dataset: 'heads', epochs: 3 },
      dataset: {
        name: 'heads',
        options: DATASET_DEFAULTS,
        hash: 'h',
        size: 32,
        labels: ['MW', 'NM'],
        counts: { train: { MW: 100, NM: 100 }, val, test: { MW: 30, NM: 30 } },
        classWeights: null,
      },
      model: null,
      backend: null,
      versions: { maskbench: '0.1.0', tfjs: '4.22.0', node: '20' },
    },
    summary: {
      status: 'done',
      endedAt: '',
      epochs: 3,
      bestEpoch: 2,
      train: null,
      val: { loss: 0.3, accuracy: 0.9, perClass: [], confusion: { labels: [], matrix: [] } },
      test: null,
      seconds: 42,
    },
  };
}

describe('RunsTable', () => {
  it('marks a best val chosen on a validation part with few crops of a class, saying which', () => {
    const wrapper = mount(RunsTable, { props: { runs: [runOn('thin', { MW: 4, NM: 50 }), runOn('ample', { MW: 40, NM: 50 })], shown: null, compared: [] } });
    const thin = wrapper.get('[data-run=thin] [data-test=thin-val]');
    expect(thin.attributes('title')).toBe(
      'The best epoch was chosen on a small validation part:\nval has 4 MW crops (fewer than 20): its figures for MW are mostly noise',
    );
    expect(wrapper.find('[data-run=ample] [data-test=thin-val]').exists()).toBe(false);
  });
});
