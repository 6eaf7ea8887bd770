// Whether a run can still judge the project's boxes. Free of TensorFlow.js: the main process checks runs
// without loading it.

import { classOf } from '../../shared/dataset';
import { WorkbenchError } from '../../shared/errors';
import type { DatasetUsed, RunInfo } from '../../shared/runs';

export function datasetOf(run: RunInfo): DatasetUsed {
  if (!run.config.dataset)
    throw new WorkbenchError('invalid-request', `Run ${run.id} never started training (${run.status}): it has no model to predict with`, { field: 'runId' });
  return run.config.dataset;
}

/**
 * A model judges a box by the classes it learnt: a project whose labels have changed since (one renamed,
 * added or removed) would be misread, so it is refused, naming the difference.
 */
export function checkLabels(projectLabels: string[], dataset: DatasetUsed, runId: string): void {
  const unknown = projectLabels.filter((label) => classOf(label, dataset.options) === null && !(label === 'ND' && dataset.options.ndPolicy === 'drop'));
  const missing = dataset.labels.filter((label) => !projectLabels.some((name) => classOf(name, dataset.options) === label));
  if (unknown.length === 0 && missing.length === 0) return;
  const differences = [
    ...(unknown.length ? [`${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among its classes`] : []),
    ...(missing.length ? [`the project no longer has ${missing.join(', ')}`] : []),
  ];
  throw new WorkbenchError(
    'invalid-request',
    `Run ${runId} was trained on the classes ${dataset.labels.join(', ')}, but the project's labels are ${projectLabels.join(', ')}: ${differences.join('; ')}. Train a run on the current labels.`,
    { field: 'runId' },
  );
}
