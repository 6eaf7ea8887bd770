import { appendFile, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRAINING_DEFAULTS } from '../../src/shared/runs';
import { projectPaths } from '../../src/core/project/layout';
import { trainRun } from '../../src/core/training/train-run';
import { writeSyntheticDataset } from '../support/synthetic-dataset';
import { useTempDirs } from '../support/temp-dir';
import { testWorkbench } from '../support/workbench';

const tempDir = useTempDirs();
const quiet = { signal: new AbortController().signal, progress: () => {}, log: () => {} };

async function projectWithRun() {
  const project = await tempDir();
  await writeSyntheticDataset(project, 'colours');
  await trainRun(
    { project, runId: 'r1', options: { ...TRAINING_DEFAULTS, dataset: 'colours', model: 'simple-conv', epochs: 3, batchSize: 8, backend: 'wasm' } },
    quiet,
  );
  const workbench = testWorkbench(await tempDir());
  await workbench.openProject({ path: project });
  return { project, workbench };
}

describe('managing runs', () => {
  it('gives everything a run recorded: its metrics in order and every confusion matrix, test last', async () => {
    const { workbench } = await projectWithRun();
    const details = await workbench.runDetails({ runId: 'r1' });
    expect(details.run).toMatchObject({ id: 'r1', status: 'done', name: null, tags: [] });
    expect(details.history.filter((line) => line.kind === 'epoch').map((line) => line.epoch)).toEqual([1, 2, 3]);
    expect(details.history.filter((line) => line.kind === 'batch')).toHaveLength(27);
    expect(details.confusions.map((entry) => `${entry.split}${entry.epoch}`)).toEqual(['val1', 'val2', 'val3', `test${details.run.summary!.bestEpoch}`]);
    expect(details.confusions[0]!.confusion.labels).toEqual(['MW', 'NM', 'ND']);
  });

  it('reads a metrics file whose last line a crash cut short', async () => {
    const { project, workbench } = await projectWithRun();
    await appendFile(join(projectPaths(project).run('r1'), 'metrics.jsonl'), '{"kind":"batch","epo');
    expect((await workbench.runDetails({ runId: 'r1' })).history.filter((line) => line.kind === 'epoch')).toHaveLength(3);
  });

  it('finds the crops behind a confusion-matrix cell, most confident first, and counts those the dataset lost', async () => {
    const { project, workbench } = await projectWithRun();
    const details = await workbench.runDetails({ runId: 'r1' });
    const test = details.confusions.find((entry) => entry.split === 'test')!;
    const cell = await workbench.confusionCell({ runId: 'r1', split: 'test', epoch: test.epoch, truth: 'MW', predicted: 'MW' });
    expect(cell.total).toBe(test.confusion.matrix[0]![0]);
    expect(cell.crops.every((crop) => crop.truth === 'MW' && crop.path.includes('test-MW-'))).toBe(true);
    expect(cell.crops.map((crop) => crop.confidence)).toEqual([...cell.crops.map((crop) => crop.confidence)].sort((a, b) => b - a));
    const val = await workbench.confusionCell({ runId: 'r1', split: 'val', epoch: 2, truth: 'NM', predicted: 'NM' });
    expect(val.total).toBe(details.confusions.find((entry) => entry.split === 'val' && entry.epoch === 2)!.confusion.matrix[1]![1]);

    // The dataset rebuilt without one of those crops: it is counted, not shown.
    const manifestFile = join(project, 'datasets', 'colours', 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    manifest.samples = manifest.samples.filter((sample: { file: string }) => sample.file !== cell.crops[0]!.path.split('/').at(-1));
    await writeFile(manifestFile, JSON.stringify(manifest));
    expect(await workbench.confusionCell({ runId: 'r1', split: 'test', epoch: test.epoch, truth: 'MW', predicted: 'MW' })).toMatchObject({
      total: cell.total - 1,
      missing: 1,
    });
    await expect(workbench.confusionCell({ runId: 'r1', split: 'val', epoch: 99, truth: 'MW', predicted: 'MW' })).rejects.toMatchObject({ code: 'not-found' });
    await expect(workbench.confusionCell({ runId: 'r1', split: 'val', epoch: 1, truth: 'XX', predicted: 'MW' })).rejects.toMatchObject({
      where: { field: 'truth' },
    });
  });

  it('names and tags a run in meta.json, leaving what it recorded untouched', async () => {
    const { project, workbench } = await projectWithRun();
    expect(await workbench.updateRun({ runId: 'r1', name: '  baseline  ', tags: ['study', 'stride 40', 'study'] })).toMatchObject({
      name: 'baseline',
      tags: ['study', 'stride 40'],
    });
    expect(await workbench.updateRun({ runId: 'r1', tags: [] })).toMatchObject({ name: 'baseline', tags: [] });
    expect((await workbench.listRuns())[0]).toMatchObject({ name: 'baseline', tags: [] });
    expect(await workbench.updateRun({ runId: 'r1', name: null })).toMatchObject({ name: null });
    await expect(workbench.updateRun({ runId: 'r1', tags: [''] })).rejects.toMatchObject({ where: { field: 'tags[0]' } });
    await expect(workbench.updateRun({ runId: 'r1', name: 'x'.repeat(200) })).rejects.toMatchObject({ where: { field: 'name' } });
    await expect(workbench.updateRun({ runId: 'nope', name: 'x' })).rejects.toMatchObject({ code: 'run-not-found' });
    await expect(workbench.updateRun({ runId: '../r1', name: 'x' })).rejects.toMatchObject({ code: 'invalid-request', where: { field: 'runId' } });
    expect((await readdir(projectPaths(project).run('r1'))).sort()).toContain('meta.json');
  });

  it('moves a deleted run to the project’s trash, never over an earlier one, and refuses a run still training', async () => {
    const { project, workbench } = await projectWithRun();
    expect(await workbench.deleteRun({ runId: 'r1' })).toEqual({ trashedTo: join(project, 'trash', 'runs', 'r1') });
    expect(await workbench.listRuns()).toEqual([]);
    expect(await readdir(join(project, 'trash', 'runs', 'r1'))).toContain('model-best');

    await trainRun(
      { project, runId: 'r1', options: { ...TRAINING_DEFAULTS, dataset: 'colours', model: 'simple-conv', epochs: 1, batchSize: 8, backend: 'wasm' } },
      quiet,
    );
    expect(await workbench.deleteRun({ runId: 'r1' })).toEqual({ trashedTo: join(project, 'trash', 'runs', 'r1-2') });

    await trainRun(
      { project, runId: 'live', options: { ...TRAINING_DEFAULTS, dataset: 'colours', model: 'simple-conv', epochs: 1, batchSize: 8, backend: 'wasm' } },
      quiet,
    );
    await writeFile(join(projectPaths(project).run('live'), 'running.json'), JSON.stringify({ pid: process.pid }));
    await rm(join(projectPaths(project).run('live'), 'summary.json'));
    await expect(workbench.deleteRun({ runId: 'live' })).rejects.toThrow(/still training: cancel it before deleting it/);
  });
});
