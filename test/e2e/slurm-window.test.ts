// The window sends runs to a real one-node Slurm cluster (test/support/slurm-cluster.ts): a sweep of four
// runs trains there with its curves live in the Train view, a run cancelled from the window is cancelled
// there, and one killed at its time limit says so, with the way to submit it again.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openCommands } from '../../src/core/cluster/slurm-runs';
import { projectPaths, runPaths } from '../../src/core/project/layout';
import type { RunInfo } from '../../src/shared/runs';
import { BIN, ROOT } from '../support/built-app';
import { makeSampleWithHeads, serveInBrowser, type ServedInBrowser } from '../support/sample-in-browser';
import { useSlurmCluster } from '../support/slurm-cluster';

const exec = promisify(execFile);

describe('the Train view with a Slurm cluster (browser mode)', () => {
  let folder: string;
  let project: string;
  let served: ServedInBrowser;
  let page: Page;

  beforeAll(async () => {
    useSlurmCluster();
    const sample = await makeSampleWithHeads(160, 640, 360);
    folder = sample.folder;
    project = sample.project;
    const command = `${process.execPath} ${BIN}`;
    const profiles = { default: { cpus: 1, memory: '1G', time: '10', command }, short: { cpus: 1, memory: '1G', time: '1', command } };
    await writeFile(projectPaths(sample.project).slurmProfiles, JSON.stringify({ profiles }));
    served = await serveInBrowser(sample.project, folder);
    page = served.page;
  });
  beforeEach(({ onTestFailed, task }) => {
    const name = task.name.split(' ').slice(0, 2).join('-');
    onTestFailed(() => page.screenshot({ path: join(ROOT, 'test-results', `failed-slurm-window-${name}.png`) }).then(() => {}));
  });
  afterAll(async () => {
    await served?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('trains a sweep of four runs on the cluster, their curves live in the window, and a run killed at its time limit says so', async () => {
    await page.keyboard.press('Alt+3');
    const target = page.locator('[data-test=train-settings] [data-test=run-target]');
    await expect
      .poll(async () => (await target.locator('option').allTextContents()).map((text) => text.trim()))
      .toEqual(['this machine', 'Slurm: default (1 CPU, 1G, 10 min)', 'Slurm: short (1 CPU, 1G, 1 min)']);
    // First a run far longer than the short profile's minute: the cluster kills it while the sweep trains.
    await target.selectOption('slurm:short');
    await page.locator('[data-model=simple-conv] input').check();
    await page.locator('[data-test=train-epochs]').fill('5000');
    await page.locator('[data-test=train-batch]').fill('16');
    await page.locator('[data-test=train-start]').click();

    await target.selectOption('slurm:default');
    await page.locator('[data-test=train-epochs]').fill('8');
    await page.locator('[data-test=sweep-lr]').fill('0.01, 0.003');
    await page.locator('[data-test=sweep-batch]').fill('8, 16');
    await page.locator('[data-test=sweep-name]').fill('cluster');
    expect((await page.locator('[data-test=sweep-start]').textContent())?.trim()).toBe('Queue 4 runs');
    await page.locator('[data-test=sweep-start]').click();
    // The runs' figures stream from their folders as the cluster trains them: the live curves draw.
    const live = page.locator('[data-test=train-live]', { hasText: '(Slurm, default)' });
    await live.locator('[data-test=train-live-charts] canvas').first().waitFor({ timeout: 60_000 });
    await live.locator('[data-test=confusion]').first().waitFor();
    await expect
      .poll(() => page.locator('[data-test=run-cluster]').allTextContents(), { timeout: 30_000 })
      .toContainEqual(expect.stringMatching(/Slurm job \d+: running on \S+/));
    await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'train-slurm.png') });

    await page.keyboard.press('Alt+4');
    await expect.poll(() => page.locator('[data-test=runs-group]').inputValue(), { timeout: 10_000 }).toBe('cluster');
    await expect.poll(() => page.locator('[data-test=runs-table] tbody tr[data-status=done]').count(), { timeout: 120_000 }).toBe(4);
    await page.locator('[data-test=run-compare-view] canvas').waitFor();
    await expect.poll(() => page.locator('[data-test=run-compare-view] [data-test=confusion]').count()).toBe(4);

    await page.keyboard.press('Alt+3');
    const killed = page.locator('[data-test=run-error]', { hasText: 'killed by the cluster at its time limit' });
    await killed.waitFor({ timeout: 150_000 });
    expect(await killed.locator('[data-test=run-resubmit]').textContent()).toBe('Submit again');
    // Its folder says so too: the cluster's reason, and the job's log to read.
    const runs = JSON.parse((await exec(process.execPath, [BIN, 'runs', '--project', project, '--json'])).stdout) as RunInfo[];
    const [failed] = runs.filter((run) => run.status === 'failed');
    expect(failed!.summary!.error).toMatchObject({
      code: 'cluster-ended',
      message: expect.stringMatching(/^Slurm job \d+ was killed by the cluster at its time limit \(TimeLimit\) on \S+\. Its log: /),
      where: { file: runPaths(failed!.path).slurmLog(failed!.slurm!.jobId) },
    });
    expect(failed!.epochs).toBeGreaterThan(0);
  }, 300_000);

  it('sends a sweep, a prediction and a cross-fit from the command line (`--on slurm`), its runs listed by `maskbench runs` as they go', async () => {
    const file = join(folder, 'sweep.json');
    const sweep = {
      name: 'cli',
      dataset: { stride: 4, gap: 8, crop: 'head', size: 32 },
      training: { model: 'simple-conv', epochs: 2, batchSize: 16 },
      grid: { learningRate: [0.01, 0.003] },
    };
    await writeFile(file, JSON.stringify(sweep));
    const cli = (...args: string[]) => exec(process.execPath, [BIN, ...args], { env: { ...process.env, MASKBENCH_DATA_DIR: join(folder, 'data') } });
    const { stdout } = await cli('sweep', '--project', project, '--file', file, '--on', 'slurm', '--json');
    const sent = JSON.parse(stdout) as { group: string; runs: Array<{ runId: string; jobId: string }>; refused: unknown[] };
    expect(sent).toMatchObject({ group: 'cli', refused: [] });
    expect(sent.runs.map((run) => run.jobId)).toEqual([expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d+$/)]);
    const listed = async () =>
      (JSON.parse((await cli('runs', '--project', project, '--json')).stdout) as RunInfo[]).filter((run) => run.config.group === 'cli');
    await expect.poll(async () => (await listed()).map((run) => run.status), { timeout: 60_000, interval: 1000 }).toEqual(['done', 'done']);
    expect((await listed()).map((run) => run.config.options.learningRate).sort()).toEqual([0.003, 0.01]);

    // A run's predictions and a cross-fit go there too, and land in the run's folder as when run here.
    const runId = sent.runs[0]!.runId;
    const files = runPaths(projectPaths(project).run(runId));
    const predicted = JSON.parse((await cli('predict', '--project', project, '--run', runId, '--on', 'slurm', '--json')).stdout) as {
      jobId: string;
      log: string;
    };
    expect(predicted).toEqual({ jobId: expect.stringMatching(/^\d+$/), log: files.slurmLog(predicted.jobId) });
    const dryRun = JSON.parse((await cli('review', '--project', project, '--run', runId, '--folds', '2', '--on', 'slurm', '--dry-run', '--json')).stdout) as {
      jobs: Array<{ runId: string; script: string; sbatchArgs: string[] }>;
    };
    expect(dryRun.jobs.map((job) => job.runId)).toEqual([`${runId}-fold1of2`, `${runId}-fold2of2`, runId]);
    expect(dryRun.jobs[2]!.sbatchArgs).toContain(`--dependency=afterok:<job of ${runId}-fold1of2>:<job of ${runId}-fold2of2>`);
    expect(dryRun.jobs[2]!.script).toContain(' --score-folds ');
    expect(existsSync(files.crossFitPlan)).toBe(false);

    // Each fold trains as a run of its own, side by side; a last job scores them once both have trained.
    const crossFit = JSON.parse((await cli('review', '--project', project, '--run', runId, '--folds', '2', '--on', 'slurm', '--json')).stdout) as {
      folds: Array<{ runId: string; jobId: string }>;
      scorer: { jobId: string; log: string };
    };
    expect(crossFit.folds.map((fold) => fold.runId)).toEqual([`${runId}-fold1of2`, `${runId}-fold2of2`]);
    await expect.poll(() => existsSync(files.projectPredictions) && existsSync(files.crossFitPredictions), { timeout: 120_000, interval: 1000 }).toBe(true);
    expect(JSON.parse(await readFile(files.crossFitPredictions, 'utf8'))).toMatchObject({ complete: true, crossFit: { folds: 2, by: 'time' } });
    // The scorer writes its predictions before it prints what they are: its log may lag them a moment.
    await expect.poll(() => readFile(crossFit.scorer.log, 'utf8'), { timeout: 30_000, interval: 500 }).toContain('out of sample');
    const folds = (JSON.parse((await cli('runs', '--project', project, '--json')).stdout) as RunInfo[]).filter(
      (run) => run.config.group === `${runId}-cross-fit`,
    );
    expect(folds.map((run) => [run.status, run.slurm?.jobId]).sort()).toEqual(crossFit.folds.map((fold) => ['done', fold.jobId]).sort());
    const refused = await cli('review', '--project', project, '--run', runId, '--on', 'slurm').catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 2, stderr: 'maskbench: --on slurm sends a cross-fit to the cluster: give --folds\n' });
  }, 240_000);

  it('predicts and cross-fits with a run from the Review view on the cluster', async () => {
    const cli = (...args: string[]) => exec(process.execPath, [BIN, ...args], { env: { ...process.env, MASKBENCH_DATA_DIR: join(folder, 'data') } });
    const runs = JSON.parse((await cli('runs', '--project', project, '--json')).stdout) as RunInfo[];
    const run = runs.find((candidate) => candidate.config.group === 'cluster' && candidate.status === 'done')!;
    const files = runPaths(run.path);
    await page.keyboard.press('Alt+5');
    const panel = page.locator('[data-test=review-panel]');
    // Opening the Review view lists the runs, and the window then follows the prediction and cross-fit the
    // command line left on the cluster, each a job here until it is seen to end: Predict waits for them.
    // A click as one of them starts would land on a button just disabled and be lost.
    const open = async () => (await Promise.all(runs.map((candidate) => openCommands(candidate.path)))).flat();
    await expect.poll(open, { timeout: 60_000, interval: 500 }).toEqual([]);
    await expect.poll(() => panel.locator('[data-test=review-busy]').count(), { timeout: 30_000 }).toBe(0);
    await panel.locator('[data-test=review-run]').selectOption(run.id);
    await panel.locator('[data-test=run-target]').selectOption('slurm:default');
    await panel.locator('[data-test=predict]').click();
    await expect.poll(() => panel.locator('[data-test=review-busy]').textContent(), { timeout: 30_000 }).toMatch(/\(Slurm, default\): Slurm job \d+/);
    const summary = panel.locator('[data-test=prediction-summary]');
    await summary.waitFor({ timeout: 120_000 });
    expect(await summary.textContent()).toMatch(/^\s*[\d,]+ boxes on (wasm|cpu|tensorflow) · the model disagrees with [\d,]+/);
    expect((await readdir(run.path)).filter((name) => /^slurm-\d+\.log$/.test(name))).toHaveLength(2);

    await panel.locator('[data-test=folds]').fill('2');
    await panel.locator('[data-test=cross-fit]').click();
    await expect.poll(() => existsSync(files.crossFitPredictions), { timeout: 120_000, interval: 1000 }).toBe(true);
    await expect.poll(() => panel.locator('[data-test=review-busy]').count(), { timeout: 30_000 }).toBe(0);
    const folds = (JSON.parse((await cli('runs', '--project', project, '--json')).stdout) as RunInfo[]).filter(
      (candidate) => candidate.config.group === `${run.id}-cross-fit`,
    );
    expect(folds.map((fold) => [fold.status, fold.slurm?.profile])).toEqual([
      ['done', 'default'],
      ['done', 'default'],
    ]);
    await page.keyboard.press('Alt+3');
  }, 300_000);

  it('cancels a run on the cluster from the window', async () => {
    await page.keyboard.press('Alt+3');
    await page.locator('[data-test=train-settings] [data-test=run-target]').selectOption('slurm:default');
    await page.locator('[data-test=train-epochs]').fill('5000');
    await page.locator('[data-test=train-start]').click();
    const live = page.locator('[data-test=train-live]', { hasText: '5000' });
    await live.locator('[data-test=train-live-charts]').waitFor({ timeout: 60_000 });
    await live.locator('[data-test=train-cancel]').click();
    await expect.poll(() => page.locator('[data-test=runs] tbody tr').first().getAttribute('data-status'), { timeout: 60_000 }).toBe('cancelled');
  }, 120_000);
});
