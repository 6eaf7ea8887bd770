// The Runs view's table: a best validation figure chosen on a thin validation part is marked as such.

import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { DATASET_DEFAULTS } from '../../src/shared/dataset';
import type { RunInfo } from '../../src/shared/runs';
import RunsTable from '../../src/renderer/src/components/runs/RunsTable.vue';
import { doneRun } from './fake-api';

function runOn(id: string, val: Record<string, number>): RunInfo {
  const counts = { train: { MW: 100, NM: 100 }, val, test: { MW: 30, NM: 30 } };
  return doneRun(id, { dataset: { name: 'heads', options: DATASET_DEFAULTS, hash: 'h', size: 32, labels: ['MW', 'NM'], counts, classWeights: null } });
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

  it('marks no figure on a run that has no best validation figure: failed before one, or still running', () => {
    const thin = runOn('thin', { MW: 4, NM: 50 });
    const failed: RunInfo = { ...thin, id: 'failed', status: 'failed', summary: { ...thin.summary!, status: 'failed', bestEpoch: null, val: null } };
    const running: RunInfo = { ...thin, id: 'running', status: 'running', summary: null };
    const wrapper = mount(RunsTable, { props: { runs: [failed, running], shown: null, compared: [] } });
    expect(wrapper.findAll('[data-test=thin-val]')).toHaveLength(0);
  });
});
