// What leaves the window: metrics as CSV, and self-contained HTML reports (charts embedded as PNG, tables
// as HTML, no scripts or links), so a run or a comparison can be mailed or archived as one file.
import type { ConfusionMatrix, RunDetails } from '../../../../shared/runs';
import { runTitle } from '../../../../shared/runs';
import { settingName, type SettingRow } from '../../../../shared/run-settings';
import { epochsOf } from './run-series';

export function metricsCsv(details: RunDetails): string {
  const header = ['epoch', 'train_loss', 'train_accuracy', 'val_loss', 'val_accuracy', 'learning_rate', 'images_per_second', 'seconds'];
  const rows = epochsOf(details).map((epoch) =>
    [epoch.epoch, epoch.trainLoss, epoch.trainAccuracy, epoch.valLoss, epoch.valAccuracy, epoch.learningRate, epoch.imagesPerSecond, epoch.seconds].join(','),
  );
  return [header.join(','), ...rows].join('\n') + '\n';
}

const escape = (text: string) => text.replace(/[&<>"]/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[character]!);

function matrixHtml(caption: string, { labels, matrix }: ConfusionMatrix): string {
  const head = `<tr><th>true ↓ / predicted →</th>${labels.map((label) => `<th>${escape(label)}</th>`).join('')}</tr>`;
  const body = matrix.map((row, k) => `<tr><th>${escape(labels[k]!)}</th>${row.map((count) => `<td>${count}</td>`).join('')}</tr>`).join('');
  return `<table><caption>${escape(caption)}</caption>${head}${body}</table>`;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title><style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 16px 16px 0;display:inline-table}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}caption{text-align:left;color:#555}img{max-width:48%;margin-right:1%}
</style></head><body><h1>${escape(title)}</h1>${body}<p><small>Made by Maskbench on ${new Date().toISOString().slice(0, 16).replace('T', ' ')}.</small></p></body></html>`;
}

export function runReportHtml(details: RunDetails, charts: string[]): string {
  const { run } = details;
  const settings = Object.entries({
    ...run.config.options,
    group: run.config.group ?? '',
    'dataset content (sha256)': run.config.dataset?.hash ?? '',
    'backend used': run.config.backend?.name ?? '',
    ...run.config.versions,
  });
  const summary = run.summary;
  const figures = summary
    ? `<p>${escape(run.status)} after ${summary.epochs} epochs in ${Math.round(summary.seconds)} s; best epoch ${summary.bestEpoch ?? '–'}: validation accuracy ${summary.val ? (100 * summary.val.accuracy).toFixed(1) + '%' : '–'}, test accuracy ${summary.test ? (100 * summary.test.accuracy).toFixed(1) + '%' : '–'}</p>`
    : `<p>${escape(run.status)}</p>`;
  const best = details.confusions.find((entry) => entry.split === 'val' && entry.epoch === summary?.bestEpoch);
  const test = details.confusions.find((entry) => entry.split === 'test');
  return page(
    `Run ${runTitle(run)}`,
    `${figures}${charts.map((png) => `<img src="${png}" alt="">`).join('')}
<h2>Confusion matrices</h2>${best ? matrixHtml(`Validation, best epoch (${best.epoch})`, best.confusion) : ''}${test ? matrixHtml('Test, best checkpoint', test.confusion) : ''}
<h2>Settings</h2><table>${settings.map(([key, value]) => `<tr><th>${escape(settingName(key))}</th><td>${escape(String(value))}</td></tr>`).join('')}</table>`,
  );
}

export function compareReportHtml(runs: RunDetails[], chart: string | null, differences: SettingRow[]): string {
  const titles = runs.map((details) => runTitle(details.run));
  const diff = `<table><tr><th>setting</th>${titles.map((title) => `<th>${escape(title)}</th>`).join('')}</tr>${differences.map((row) => `<tr><th>${escape(row.name)}</th>${row.values.map((value) => `<td>${escape(value)}</td>`).join('')}</tr>`).join('')}</table>`;
  const matrices = runs.map((details) => {
    const test = details.confusions.find((entry) => entry.split === 'test');
    return test ? matrixHtml(runTitle(details.run), test.confusion) : '';
  });
  return page(
    `Comparison of ${runs.length} runs`,
    `${chart ? `<img src="${chart}" alt="">` : ''}<h2>Settings that differ</h2>${diff}<h2>Test confusion matrices</h2>${matrices.join('')}`,
  );
}

/** Offers `content` (text, or a data: URL) as a file download. */
export function download(filename: string, content: string, type = 'text/plain'): void {
  const link = document.createElement('a');
  const url = content.startsWith('data:') ? content : URL.createObjectURL(new Blob([content], { type }));
  link.href = url;
  link.download = filename;
  link.click();
  if (!content.startsWith('data:')) setTimeout(() => URL.revokeObjectURL(url), 1000);
}
