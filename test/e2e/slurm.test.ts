// Runs on a real one-node Slurm cluster (test/support/slurm-cluster.ts): submitted with the CLI and from
// core, followed with their figures, cancelled with scancel, killed at their time limit and submitted
// again; and the project stays as a local one would be: every run says how it ended.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { version } from '../../package.json';
import { ClusterRuns } from '../../src/core/cluster/cluster-runs';
import { slurmProfile } from '../../src/core/cluster/slurm-profiles';
import { predictArgs } from '../../src/core/cluster/batch-script';
import { clusterJobs } from '../../src/core/cluster/slurm-commands';
import { openCommands, submitRun, withClusterState } from '../../src/core/cluster/slurm-runs';
import { clusterHandlers } from '../../src/core/handlers/cluster';
import type { CoreContext } from '../../src/core/handlers/context';
import { readJsonFile } from '../../src/core/fs/json-file';
import { JobRunner } from '../../src/core/jobs/job-runner';
import { projectPaths, runPaths } from '../../src/core/project/layout';
import { listRuns, readRun } from '../../src/core/runs/run-folder';
import type { SlurmRecord } from '../../src/shared/cluster';
import type { JobEvent } from '../../src/shared/jobs';
import { runTitle, type RunConfig, type RunInfo, type TrainingReport } from '../../src/shared/runs';
import { TRAINING_DEFAULTS } from '../../src/shared/runs';
import { BIN, assertBuilt } from '../support/built-app';
import { useSlurmCluster } from '../support/slurm-cluster';
import { writeSyntheticDataset } from '../support/synthetic-dataset';

const exec = promisify(execFile);

/** The nodes run this checkout's CLI; one CPU and a little memory each, so two jobs run at once on two cores. */
const PROFILES = {
  profiles: {
    default: { cpus: 1, memory: '1G', time: '10', command: `${process.execPath} ${BIN}` },
    // The shortest limit Slurm has: a minute.
    short: { cpus: 1, memory: '1G', time: '1', command: `${process.execPath} ${BIN}` },
    // A job that takes a few seconds to start its command, so the app can close while it is still there.
    slow: { cpus: 1, memory: '1G', time: '10', command: `${process.execPath} ${BIN}`, setup: ['sleep 4'] },
  },
};

/** A run far longer than any test: it ends when it is cancelled. */
const LONG = { ...TRAINING_DEFAULTS, dataset: 'colours', model: 'simple-conv' as const, epochs: 5000, batchSize: 8 };

describe('runs on a Slurm cluster', () => {
  let project: string;
  let dataDir: string;

  beforeAll(async () => {
    assertBuilt();
    useSlurmCluster();
    project = await mkdtemp(join(tmpdir(), 'maskbench-slurm-project-'));
    dataDir = join(project, '.data');
    await writeSyntheticDataset(project, 'colours');
    await writeFile(projectPaths(project).slurmProfiles, JSON.stringify(PROFILES));
  });
  afterAll(async () => {
    if (!project) return;
    // Nothing of these tests may go on training after them.
    const runs = await listRuns(project).catch(() => [] as RunInfo[]);
    const jobs = runs.flatMap((run) => (run.slurm && !run.summary ? [run.slurm.jobId] : []));
    if (jobs.length) {
      await exec('scancel', jobs).catch(() => undefined);
      // Their processes may still write into the project as they go.
      const ended = () =>
        exec('squeue', ['--noheader', `--jobs=${jobs.join(',')}`, '--format=%i']).then(
          ({ stdout }) => stdout.trim() === '',
          () => true,
        );
      for (let tries = 0; tries < 120 && !(await ended()); tries++) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await rm(project, { recursive: true, force: true, maxRetries: 5 });
  });

  const cli = (...args: string[]) => exec(process.execPath, [BIN, ...args], { env: { ...process.env, MASKBENCH_DATA_DIR: dataDir } });

  /** `maskbench train --on slurm` of a small run, as --json prints it. */
  const submitWithCli = (epochs: number) =>
    cli('train', '--project', project, '--dataset', 'colours', '--model', 'simple-conv', '--epochs', String(epochs), '--batch', '8', '--on', 'slurm', '--json');

  /** The run as the runs list says once the cluster has been asked, until `done` holds. */
  async function until(runId: string, done: (run: RunInfo) => boolean, timeoutMs = 60_000): Promise<RunInfo> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [run] = await withClusterState([await readRun(projectPaths(project).run(runId), runId)]);
      if (done(run!)) return run!;
      if (Date.now() > deadline) throw new Error(`run ${runId} is still ${run!.status} (${JSON.stringify(run!.cluster)})`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  it('trains a run submitted with `maskbench train --on slurm`, and its folder records the job, the node and the pinned script', async () => {
    const { stdout } = await submitWithCli(2);
    const submitted = JSON.parse(stdout) as { runId: string; jobId: string; path: string };
    expect(submitted.jobId).toMatch(/^\d+$/);
    const run = await until(submitted.runId, (candidate) => candidate.summary !== null);
    expect(run.status).toBe('done');
    expect(run.epochs).toBe(2);
    const files = runPaths(submitted.path);
    const config = (await readJsonFile(files.config)) as RunConfig;
    expect(config.slurm).toMatchObject({ jobId: submitted.jobId, node: expect.any(String), cpus: 1, memoryMb: 1024 });
    expect(config.backend?.name).toBe('wasm');
    expect((await readJsonFile(files.slurm)) as SlurmRecord).toMatchObject({ jobId: submitted.jobId, profile: 'default', resources: { cpus: 1, time: '10' } });
    const script = await readFile(files.slurmScript, 'utf8');
    expect(script).toContain(`if [ "$version" != ${version} ]`);
    expect(script).toContain(`--options '${JSON.stringify(config.options)}'`);
    // The job prints its last line after the run's summary is written: its log may lag it a moment.
    await expect
      .poll(() => readFile(files.slurmLog(submitted.jobId), 'utf8'), { timeout: 30_000, interval: 500 })
      .toContain(`Run ${submitted.runId} done after 2 epochs`);
    // `maskbench runs` lists it as any run.
    const listed = JSON.parse((await cli('runs', '--project', project, '--json')).stdout) as RunInfo[];
    expect(listed.find((candidate) => candidate.id === submitted.runId)).toMatchObject({ status: 'done', slurm: { jobId: submitted.jobId } });
  });

  it('prints the batch script of a dry run and submits nothing', async () => {
    const before = await readdir(projectPaths(project).runs).catch(() => []);
    const { stdout } = await cli('train', '--project', project, '--dataset', 'colours', '--on', 'slurm', '--profile', 'short', '--dry-run');
    expect(stdout).toContain('#SBATCH --time=1\n');
    expect(stdout).toContain('#SBATCH --cpus-per-task=1\n');
    expect(stdout).toMatch(/^# sbatch --job-name=maskbench-\S+ --chdir=/);
    expect(await readdir(projectPaths(project).runs).catch(() => [])).toEqual(before);
  });

  it('follows a run in a job with its figures, and cancelling the job cancels it on the cluster', async () => {
    const jobs = new JobRunner();
    const events: JobEvent[] = [];
    jobs.subscribe((event) => events.push(event));
    const profile = await slurmProfile(project, dataDir, 'default');
    const options = { ...TRAINING_DEFAULTS, dataset: 'colours', model: 'simple-conv' as const, epochs: 2000, batchSize: 8 };
    const job = new ClusterRuns(jobs).submit({ project, options, group: 'follow', profile });
    const reports = () => events.flatMap((event) => (event.type === 'job-metrics' && event.jobId === job.id ? [event.report] : [])) as TrainingReport[];
    await expect.poll(() => reports().filter((report) => report.kind === 'epoch').length, { timeout: 60_000, interval: 250 }).toBeGreaterThanOrEqual(2);
    expect(reports().some((report) => report.kind === 'confusion' && report.split === 'val')).toBe(true);
    expect(reports().some((report) => report.kind === 'batch')).toBe(true);
    // The job's line names the node from the cluster's last answer (squeue, asked every second here): the
    // first epochs can be read before squeue has said RUNNING, and the line names no node until it has.
    const progress = () => events.flatMap((event) => (event.type === 'job-progress' && event.jobId === job.id ? [event.progress.message ?? ''] : []));
    await expect.poll(() => progress().some((message) => / trains on \S+: epoch \d+ of 2000$/.test(message)), { timeout: 15_000, interval: 250 }).toBe(true);
    const [running] = (await withClusterState(await listRuns(project))).filter((run) => run.config.group === 'follow');
    expect(running).toMatchObject({ status: 'running', cluster: { state: 'RUNNING' } });

    jobs.cancel(job.id);
    await expect.poll(() => events.some((event) => event.type === 'job-cancelled' && event.jobId === job.id), { timeout: 90_000 }).toBe(true);
    const run = await readRun(running!.path, running!.id);
    expect(run.status).toBe('cancelled');
    const { stdout } = await exec('squeue', ['--noheader', '--states=all', `--jobs=${run.slurm!.jobId}`, '--format=%T']);
    expect(stdout.trim()).toBe('CANCELLED');
  });

  it('leaves a run on the cluster when the app closes, and follows it again, once, when it opens', async () => {
    const closing = new JobRunner();
    // Its command starts seconds after the job does: it cannot have trained already when the app closes.
    const profile = await slurmProfile(project, dataDir, 'slow');
    const submitting = new ClusterRuns(closing).submit({ project, options: { ...LONG, epochs: 6 }, group: 'reopened', profile });
    await expect.poll(() => closing.list().find((job) => job.id === submitting.id)?.progress?.message, { timeout: 30_000 }).toMatch(/^Slurm job \d+/);
    // As the window's process quits: every job is stopped, and a run on the cluster goes on there.
    await closing.cancelAll(5000);
    const [left] = (await withClusterState(await listRuns(project))).filter((run) => run.config.group === 'reopened');
    const { id: runId, slurm } = left!;
    const jobId = slurm!.jobId;
    expect(left!.summary).toBeNull();
    expect(left!.cluster?.state).toMatch(/^(PENDING|RUNNING)$/);

    const jobs = new JobRunner();
    const events: JobEvent[] = [];
    jobs.subscribe((event) => events.push(event));
    const clusterRuns = new ClusterRuns(jobs);
    await clusterRuns.followOpen(await withClusterState(await listRuns(project)));
    await clusterRuns.followOpen(await withClusterState(await listRuns(project)));
    const following = jobs.list().filter((job) => job.title === `Training simple-conv on colours (Slurm job ${jobId})`);
    expect(following).toHaveLength(1);
    const ended = () => events.find((event) => (event.type === 'job-done' || event.type === 'job-failed') && event.jobId === following[0]!.id);
    await expect.poll(ended, { timeout: 60_000 }).toBeDefined();
    expect(ended()).toMatchObject({ type: 'job-done', result: { runId, summary: { status: 'done', epochs: 6 } } });
    const epochs = events.filter((event) => event.type === 'job-metrics' && event.jobId === following[0]!.id && event.report.kind === 'epoch');
    expect(epochs).toHaveLength(6);
  });

  it('leaves a prediction on the cluster when the app closes, and follows it again to its end when it opens', async () => {
    const [run] = (await listRuns(project)).filter((candidate) => candidate.status === 'done');
    const profile = await slurmProfile(project, dataDir, 'slow');
    const closing = new JobRunner();
    const request = { kind: 'prediction' as const, project, runId: run!.id, args: predictArgs({ project, runId: run!.id }), profile };
    const sent = new ClusterRuns(closing).predict('Predicting', request);
    await expect.poll(() => closing.list().find((job) => job.id === sent.id)?.progress?.message, { timeout: 30_000 }).toMatch(/^Slurm job \d+/);
    await closing.cancelAll(5000);
    const [left] = await openCommands(run!.path);
    expect(left).toEqual({ kind: 'prediction', jobId: expect.stringMatching(/^\d+$/), waitsOn: [] });
    const [job] = (await clusterJobs([left!.jobId])).values();
    expect(job!.state).toMatch(/^(PENDING|RUNNING)$/);

    const jobs = new JobRunner();
    const events: JobEvent[] = [];
    jobs.subscribe((event) => events.push(event));
    const clusterRuns = new ClusterRuns(jobs);
    await clusterRuns.followOpen(await listRuns(project));
    await clusterRuns.followOpen(await listRuns(project));
    const following = jobs.list().filter((candidate) => candidate.kind === 'prediction');
    expect(following.map((candidate) => candidate.title)).toEqual([`Predicting with ${runTitle(run!)} (Slurm job ${left!.jobId})`]);
    const ended = () => events.find((event) => (event.type === 'job-done' || event.type === 'job-failed') && event.jobId === following[0]!.id);
    await expect.poll(ended, { timeout: 60_000 }).toBeDefined();
    // This project has no video to predict over: the job fails there, and the app says why, from its log.
    expect(ended()).toMatchObject({
      type: 'job-failed',
      error: {
        code: 'cluster-ended',
        message: expect.stringMatching(new RegExp(`^Slurm job ${left!.jobId} was .*Its log: .*slurm-${left!.jobId}\\.log; it ends: .*maskbench: `)),
      },
    });
    expect(await openCommands(run!.path)).toEqual([]);
  });

  // The window's test (slurm-window.test.ts) has a run killed at its time limit: Slurm takes a minute or more to.
  it('settles a run cancelled on the cluster behind the app’s back, and submits it again as a new run from its checkpoint', async () => {
    const submitted = await submitRun({ project, options: LONG, group: 'limit', profile: await slurmProfile(project, dataDir, 'default') });
    await until(submitted.runId, (candidate) => candidate.epochs >= 2);
    await exec('scancel', [submitted.jobId]);
    const run = await until(submitted.runId, (candidate) => candidate.summary !== null);
    expect(run.status).toBe('cancelled');
    // It trained epochs before it was cancelled, and they stay.
    expect(run.epochs).toBeGreaterThanOrEqual(2);
    const options = LONG;

    // Submitted again from the API, with a profile that gives it time: a new run of the same options, from the checkpoint.
    const jobs = new JobRunner();
    const context = { session: { requireProject: () => ({ path: project }) }, dataDir, clusterRuns: new ClusterRuns(jobs) } as unknown as CoreContext;
    const { resubmitRun } = clusterHandlers(context);
    const job = await resubmitRun({ runId: submitted.runId, profile: 'default' });
    await expect.poll(() => jobs.list().find((candidate) => candidate.id === job.id)?.progress?.message ?? '', { timeout: 30_000 }).toMatch(/Slurm job \d+/);
    const [again] = (await listRuns(project)).filter((candidate) => candidate.slurm?.resubmitOf === submitted.runId);
    expect(again).toMatchObject({ config: { options, group: 'limit', resumedFrom: { runId: submitted.runId } }, slurm: { profile: 'default' } });
    // It goes on from the cancelled run's last epoch: that run's epochs first, then more of its own.
    const from = again!.config.resumedFrom!.epoch;
    expect(from).toBeGreaterThanOrEqual(run.epochs - 1);
    await expect.poll(async () => (await readRun(again!.path, again!.id)).epochs, { timeout: 60_000 }).toBeGreaterThan(from);
    jobs.cancel(job.id);
    await expect.poll(async () => (await readRun(again!.path, again!.id)).status, { timeout: 90_000 }).toBe('cancelled');
    // The cancelled run is kept as it was, and a run that did not fail is not submitted again.
    expect((await readRun(submitted.folder, submitted.runId)).status).toBe('cancelled');
    const done = (await listRuns(project)).find((candidate) => candidate.status === 'done')!;
    await expect(resubmitRun({ runId: done.id })).rejects.toThrow(`Run ${done.id} is done: only a run that failed or was cancelled is submitted again`);
  }, 180_000);
});
