import { describe, expect, it } from 'vitest';
import { TRAINING_DEFAULTS, type BatchMetrics, type EpochMetrics, type RunDetails, type RunInfo } from '../../src/shared/runs';
import { DATASET_DEFAULTS } from '../../src/shared/dataset';
import { runColour } from '../../src/renderer/src/components/runs/run-colours';
import { settingsDiff } from '../../src/shared/run-settings';
import { epochSeries, smoothedBatchLoss } from '../../src/renderer/src/components/runs/run-series';
import { compareReportHtml, metricsCsv, runReportHtml } from '../../src/renderer/src/components/runs/exports';

const epoch = (n: number, seconds: number, valAccuracy: number): EpochMetrics => ({
  kind: 'epoch',
  epoch: n,
  trainLoss: 1 / n,
  trainAccuracy: 0.5,
  valLoss: 2 / n,
  valAccuracy,
  perClass: [],
  learningRate: 0.01,
  imagesPerSecond: 100,
  seconds,
  tensors: 1,
});
const batch = (e: number, b: number, loss: number): BatchMetrics => ({ kind: 'batch', epoch: e, batch: b, batches: 2, loss, accuracy: 0.5 });

function runInfo(id: string, change: Partial<RunInfo['config']['options']> = {}, hash = 'abc'): RunInfo {
  return {
    id,
    path: `/p/runs/${id}`,
    status: 'done',
    epochs: 2,
    name: null,
    tags: [],
    summary: null,
    config: {
      schema: 1,
      id,
      createdAt: '2026-11-27T10:00:00.000Z',
      group: null,
      options: { ...TRAINING_DEFAULTS, dataset: 'heads', ...change },
      dataset: {
        name: 'heads',
        options: DATASET_DEFAULTS,
        hash: hash.repeat(10),
        size: 64,
        labels: ['MW', 'NM'],
        counts: { train: {}, val: {}, test: {} },
        classWeights: null,
      },
      model: null,
      backend: { name: 'wasm', requested: 'auto', passedOver: [], threads: 1 },
      versions: { maskbench: '0', tfjs: '0', node: '0' },
    },
  };
}

describe('run series', () => {
  const details: RunDetails = {
    run: runInfo('a'),
    history: [batch(1, 1, 1), batch(1, 2, 0.5), epoch(1, 3.5, 0.6), batch(2, 1, 0.5), batch(2, 2, 0.1), epoch(2, 7, 0.8)],
    confusions: [],
  };

  it('plots an epoch metric against epochs or seconds', () => {
    expect(epochSeries(details, 'valAccuracy')).toEqual([
      { x: 1, y: 0.6 },
      { x: 2, y: 0.8 },
    ]);
    expect(epochSeries(details, 'valLoss', 'time')).toEqual([
      { x: 3.5, y: 2 },
      { x: 7, y: 1 },
    ]);
  });

  it('smooths batch loss with a moving average at fractional epochs', () => {
    const points = smoothedBatchLoss(details, 0.5);
    expect(points.map((point) => point.x)).toEqual([0.5, 1, 1.5, 2]);
    expect(points.map((point) => point.y)).toEqual([1, 0.75, 0.625, 0.3625]);
  });

  it('lists only the settings in which runs differ, the dataset’s content among them', () => {
    const rows = settingsDiff([runInfo('a'), runInfo('b', { learningRate: 0.001, batchSize: 8 }), runInfo('c', {}, 'def')]);
    expect(rows).toEqual([
      { setting: 'batchSize', name: 'batch size', values: ['32', '8', '32'] },
      { setting: 'learningRate', name: 'learning rate', values: ['0.01', '0.001', '0.01'] },
      { setting: 'dataset content', name: 'dataset content', values: ['abcabcabcabc', 'abcabcabcabc', 'defdefdefdef'] },
    ]);
    expect(settingsDiff([runInfo('a'), runInfo('b')])).toEqual([]);
  });

  it('gives a run the same colour whatever else is listed', () => {
    expect(runColour('2026-11-27T10-00-00-conv-bn-1a2b')).toBe(runColour('2026-11-27T10-00-00-conv-bn-1a2b'));
    expect(new Set(['a', 'b', 'c', 'd', 'e', 'f'].map(runColour)).size).toBeGreaterThan(2);
  });

  it('exports metrics per epoch as CSV', () => {
    expect(metricsCsv(details).split('\n')).toEqual([
      'epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,images_per_second,seconds',
      '1,1,0.5,2,0.6,0.01,100,3.5',
      '2,0.5,0.5,1,0.8,0.01,100,7',
      '',
    ]);
  });

  it('writes self-contained HTML reports: charts embedded, text escaped, no scripts', () => {
    const named = {
      ...details,
      run: { ...details.run, name: '<b>base</b>' },
      confusions: [
        {
          epoch: 2,
          split: 'test' as const,
          confusion: {
            labels: ['MW', 'NM'],
            matrix: [
              [3, 1],
              [0, 4],
            ],
          },
        },
      ],
    };
    const report = runReportHtml(named, ['data:image/png;base64,AAAA']);
    expect(report).toContain('<img src="data:image/png;base64,AAAA"');
    expect(report).toContain('Run &lt;b&gt;base&lt;/b&gt;');
    expect(report).toContain(
      '<caption>Test, best checkpoint</caption><tr><th>true ↓ / predicted →</th><th>MW</th><th>NM</th></tr><tr><th>MW</th><td>3</td><td>1</td></tr>',
    );
    expect(report).not.toMatch(/<script|<link|src="http/);
    const comparison = compareReportHtml([named, details], null, [{ setting: 'learningRate', name: 'learning rate', values: ['0.01', '0.001'] }]);
    expect(comparison).toContain('<th>learning rate</th><td>0.01</td><td>0.001</td>');
    expect(comparison).not.toMatch(/<script|<link/);
  });
});
