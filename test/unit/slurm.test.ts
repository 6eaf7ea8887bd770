// The parts of runs on a Slurm cluster that need no cluster: profiles and their errors, the batch script
// as a shell runs it, what Slurm's commands print, and what happens when the cluster cannot be reached
// (a clear error, nothing left behind). The real cluster is test/e2e/slurm.test.ts's.

import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { version } from '../../package.json';
import { runCli } from '../../src/cli/cli';
import { batchScript, trainArgs } from '../../src/core/cluster/batch-script';
import { ClusterWatch } from '../../src/core/cluster/cluster-watch';
import { slurmAllocation } from '../../src/core/cluster/slurm-allocation';
import { parseJobLines, slurmUnavailable } from '../../src/core/cluster/slurm-commands';
import { slurmProfile, slurmProfiles } from '../../src/core/cluster/slurm-profiles';
import { describeJob, followCommand, settleRun, submitRun, withClusterState } from '../../src/core/cluster/slurm-runs';
import { clusterHandlers } from '../../src/core/handlers/cluster';
import type { CoreContext } from '../../src/core/handlers/context';
import { projectPaths } from '../../src/core/project/layout';
import { listRuns, newRunConfig } from '../../src/core/runs/run-folder';
import { describeProfile, slurmProfileSchema, type ClusterJob, type SlurmRecord } from '../../src/shared/cluster';
import { read } from '../../src/shared/schema';
import { TRAINING_DEFAULTS, trainingOptionsSchema } from '../../src/shared/runs';
import { writeSyntheticDataset } from '../support/synthetic-dataset';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();
const OPTIONS = { ...TRAINING_DEFAULTS, dataset: 'colours' };
const DEFAULTS = read(slurmProfileSchema, {});

/** Stand-ins for Slurm's commands, first on PATH for this test, for failures a real cluster cannot be made to show on demand. */
async function fakeSlurm(commands: Record<string, string>): Promise<void> {
  const bin = await tempDir();
  for (const [name, body] of Object.entries(commands)) {
    await writeFile(join(bin, name), `#!/bin/sh\n${body}\n`);
    await chmod(join(bin, name), 0o755);
  }
  onPath(`${bin}:${process.env.PATH}`);
}

function onPath(path: string): void {
  const before = process.env.PATH;
  process.env.PATH = path;
  onTestFinished(() => void (process.env.PATH = before));
}

describe('Slurm profiles', () => {
  it('has a built-in default, and a project’s profile wins over the user’s of the same name', async () => {
    const project = await tempDir();
    const dataDir = await tempDir();
    expect(await slurmProfiles(project, dataDir)).toEqual([{ name: 'default', profile: DEFAULTS, file: null }]);
    expect(DEFAULTS).toEqual({ cpus: 4, gpus: 0, memory: '16G', time: '24:00:00', command: 'maskbench', setup: [], sbatch: [] });
    await writeFile(join(dataDir, 'slurm.json'), JSON.stringify({ profiles: { gpu: { gpus: 1, partition: 'gpu', account: 'lab' }, cpu: { cpus: 16 } } }));
    await writeFile(join(project, 'slurm.json'), JSON.stringify({ profiles: { gpu: { gpus: 2, memory: '64G' } } }));
    const profiles = await slurmProfiles(project, dataDir);
    expect(profiles.map((profile) => [profile.name, profile.file])).toEqual([
      ['default', null],
      ['cpu', join(dataDir, 'slurm.json')],
      ['gpu', join(project, 'slurm.json')],
    ]);
    // The project's replaces the user's whole: its fields are not mixed with the user's.
    expect((await slurmProfile(project, dataDir, 'gpu')).profile).toEqual({ ...DEFAULTS, gpus: 2, memory: '64G' });
    expect(describeProfile((await slurmProfile(project, dataDir, 'gpu')).profile)).toBe('4 CPUs, 2 GPUs, 64G, 24:00:00');
    expect(describeProfile({ ...DEFAULTS, cpus: 1, time: '90', partition: 'short' })).toBe('1 CPU, 16G, 90 min on short');
  });

  it('names the file and the field of a profile it cannot take, and the profiles there are of one it does not have', async () => {
    const project = await tempDir();
    const dataDir = await tempDir();
    const file = join(project, 'slurm.json');
    await writeFile(file, JSON.stringify({ profiles: { big: { memory: '16 GB' } } }));
    await expect(slurmProfiles(project, dataDir)).rejects.toMatchObject({
      code: 'invalid-project',
      message: `${file}: "profiles.big.memory" must be a memory size such as 16G or 8000M, got "16 GB"`,
      where: { file, field: 'profiles.big.memory' },
    });
    await writeFile(file, JSON.stringify({ profiles: { big: { partiton: 'long' } } }));
    await expect(slurmProfiles(project, dataDir)).rejects.toThrow(`${file}: "profiles.big.partiton" is not a field this takes`);
    await writeFile(file, JSON.stringify({ profiles: { big: { time: '2 days' } } }));
    await expect(slurmProfiles(project, dataDir)).rejects.toThrow('must be a time limit such as 90, 12:00:00 or 2-00:00:00, got "2 days"');
    await writeFile(file, JSON.stringify({ profiles: { big: { sbatch: ['qos=long'] } } }));
    await expect(slurmProfiles(project, dataDir)).rejects.toThrow('"profiles.big.sbatch[0]" must be an sbatch option such as --qos=long');
    await writeFile(file, '{ "profiles": {\n  "big": { cpus: 4 }\n} }');
    await expect(slurmProfiles(project, dataDir)).rejects.toMatchObject({ where: { file, line: 2 } });
    await writeFile(file, JSON.stringify({ profiles: { big: { cpus: 8 } } }));
    await expect(slurmProfile(project, dataDir, 'gpu')).rejects.toThrow(
      `There is no Slurm profile "gpu": there are default, big. Profiles are kept in ${file} and ${join(dataDir, 'slurm.json')}`,
    );
  });
});

describe('the batch script', () => {
  /** A `maskbench` that says its version and writes down the arguments it was given, one per line. */
  async function fakeMaskbench(said: string): Promise<{ command: string; args: string }> {
    const dir = await tempDir();
    const command = join(dir, 'mask bench');
    const args = join(dir, 'args');
    await writeFile(command, `#!/bin/sh\nif [ "$1" = --version ]; then echo '${said}'; exit 0; fi\nprintf '%s\\n' "$@" > '${args}'\n`);
    await chmod(command, 0o755);
    return { command: `'${command}'`, args };
  }

  it('asks for the profile’s resources and runs `maskbench train` with the run’s exact options, whatever the paths hold', async () => {
    const maskbench = await fakeMaskbench(version);
    const project = join(await tempDir(), `it's a "lab" $HOME`);
    const options = { ...OPTIONS, dataset: 'heads-s20' };
    const profile = { ...DEFAULTS, partition: 'gpu', account: 'lab', gpus: 1, command: maskbench.command, setup: ['export MARK=set'], sbatch: ['--qos=long'] };
    const args = trainArgs({ project, runId: 'r1', options, group: 'g', resumeFrom: 'r0' });
    const script = batchScript({ what: 'run r1', args, profileName: 'gpu', profile, version });
    expect(script.split('\n').filter((line) => line.startsWith('#SBATCH'))).toEqual([
      '#SBATCH --ntasks=1',
      '#SBATCH --cpus-per-task=4',
      '#SBATCH --mem=16G',
      '#SBATCH --time=24:00:00',
      '#SBATCH --partition=gpu',
      '#SBATCH --account=lab',
      '#SBATCH --gpus=1',
      '#SBATCH --qos=long',
    ]);
    await promisify(execFile)('bash', ['-c', script]);
    const given = (await readFile(maskbench.args, 'utf8')).split('\n').slice(0, -1);
    expect(given).toEqual(['train', '--project', project, '--run', 'r1', '--group', 'g', '--resume-from', 'r0', '--options', JSON.stringify(options)]);
  });

  it('refuses to train on a node with another Maskbench version', async () => {
    const maskbench = await fakeMaskbench('0.0.9');
    const script = batchScript({
      what: 'run r1',
      args: trainArgs({ project: '/p', runId: 'r1', options: OPTIONS, group: null, resumeFrom: null }),
      profileName: 'default',
      profile: { ...DEFAULTS, command: maskbench.command },
      version,
    });
    const failed = await promisify(execFile)('bash', ['-c', script]).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({
      code: 3,
      stderr: `This job was submitted with Maskbench ${version}, but this node runs Maskbench 0.0.9: install ${version} on the nodes.\n`,
    });
    await expect(readFile(maskbench.args)).rejects.toThrow('ENOENT');
  });
});

describe('what Slurm says', () => {
  it('reads squeue’s and sacct’s lines', () => {
    expect(parseJobLines('12|PENDING|Priority|\n13|RUNNING|None|node7\n')).toEqual([
      { jobId: '12', state: 'PENDING', reason: 'Priority', node: null },
      { jobId: '13', state: 'RUNNING', reason: null, node: 'node7' },
    ]);
    expect(parseJobLines('14|CANCELLED by 1000|None|None assigned\n15|TIMEOUT|(null)|node2')).toEqual([
      { jobId: '14', state: 'CANCELLED', reason: null, node: null },
      { jobId: '15', state: 'TIMEOUT', reason: null, node: 'node2' },
    ]);
    expect(parseJobLines('16|RESIZING|None|')).toEqual([{ jobId: '16', state: null, reason: null, node: null, problem: 'Slurm says the job is "RESIZING"' }]);
  });

  it('reads what a job was given from its environment', () => {
    expect(slurmAllocation({})).toBeNull();
    expect(
      slurmAllocation({
        SLURM_JOB_ID: '7',
        SLURMD_NODENAME: 'node3',
        SLURM_CPUS_PER_TASK: '8',
        SLURM_MEM_PER_NODE: '16384',
        SLURM_JOB_PARTITION: 'gpu',
        SLURM_JOB_GPUS: '0',
      }),
    ).toEqual({ jobId: '7', node: 'node3', cpus: 8, gpus: '0', memoryMb: 16384, partition: 'gpu' });
  });
});

describe('a run the cluster ended', () => {
  it('fails with the cluster’s reason, where it ran and the end of its log, keeping the epochs it trained', async () => {
    const project = await tempDir();
    const folder = projectPaths(project).run('r-oom');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'config.json'), JSON.stringify(newRunConfig('r-oom', OPTIONS, null)));
    const record: SlurmRecord = { jobId: '41', profile: 'default', resources: DEFAULTS, submittedAt: new Date().toISOString() };
    await writeFile(join(folder, 'slurm.json'), JSON.stringify(record));
    await writeFile(join(folder, 'metrics.jsonl'), `${JSON.stringify({ kind: 'epoch', epoch: 1 })}\n`);
    const log = join(folder, 'slurm-41.log');
    await writeFile(log, 'epoch 1: loss 0.9\nslurmstepd: error: Detected 1 oom_kill event in StepId=41.batch.\n');
    const run = await settleRun(folder, { jobId: '41', state: 'OUT_OF_MEMORY', reason: 'OutOfMemory', node: 'node3' });
    expect(run).toMatchObject({ status: 'failed', epochs: 1 });
    expect(run.summary!.error).toEqual({
      code: 'cluster-ended',
      message: `Slurm job 41 was killed by the cluster: out of memory (OutOfMemory) on node3. Its log: ${log}; it ends: epoch 1: loss 0.9 / slurmstepd: error: Detected 1 oom_kill event in StepId=41.batch.`,
      where: { file: log },
    });
    // Settled once: asking again changes nothing.
    const again = await settleRun(folder, { jobId: '41', state: 'NODE_FAIL', reason: null, node: null });
    expect(again.summary).toEqual(run.summary);
  });
});

describe('a cluster that cannot be reached', () => {
  async function projectWithDataset(): Promise<string> {
    const project = await tempDir();
    await writeSyntheticDataset(project, 'colours');
    return project;
  }

  it('says so when sbatch is missing, and leaves no run behind', async () => {
    const project = await projectWithDataset();
    const dataDir = await tempDir();
    // Nothing on PATH at all: no sbatch.
    onPath(await tempDir());
    const profile = await slurmProfile(project, dataDir, 'default');
    await expect(submitRun({ project, options: OPTIONS, group: null, profile })).rejects.toMatchObject({
      code: 'cluster-unavailable',
      message: 'The Slurm cluster cannot be reached: sbatch is not installed on this machine (not on PATH), so it cannot send work to a Slurm cluster',
    });
    expect(await readdir(projectPaths(project).runs)).toEqual([]);
    expect(await slurmUnavailable()).toMatch(/sbatch is not installed on this machine/);
  });

  it('refuses to submit a cross-fit’s fold again alone, and says to cross-fit again', async () => {
    await fakeSlurm({ squeue: 'exit 0', sacct: 'exit 0' });
    const project = await projectWithDataset();
    const write = async (runId: string, file: string, value: unknown) => {
      await mkdir(join(projectPaths(project).run(runId), dirname(file)), { recursive: true });
      await writeFile(join(projectPaths(project).run(runId), file), JSON.stringify(value));
    };
    const parts = [1, 2].map((fold) => ({ run: `r-fitted-fold${fold}of2`, dataset: `colours-fold${fold}of2`, what: 'tracks', from: 0, to: 9, tracks: [fold] }));
    await write('r-fitted', 'config.json', newRunConfig('r-fitted', OPTIONS, null));
    await write('r-fitted', 'predictions/cross-fit-plan.json', { schema: 1, runId: 'r-fitted', folds: 2, by: 'track', backend: 'wasm', parts });
    const record: SlurmRecord = { jobId: '51', profile: 'default', resources: DEFAULTS, submittedAt: new Date().toISOString() };
    for (const [runId, group] of [
      ['r-fitted-fold2of2', 'r-fitted-cross-fit'],
      ['r-other', 'r-other-cross-fit'],
    ]) {
      await write(runId!, 'config.json', newRunConfig(runId!, OPTIONS, group!));
      await write(runId!, 'slurm.json', record);
      await write(runId!, 'summary.json', { status: 'cancelled', epochs: 1 });
    }
    const context = { session: { requireProject: () => ({ path: project }) }, dataDir: await tempDir(), clusterRuns: { submit: () => ({ id: 'job' }) } };
    const { resubmitRun } = clusterHandlers(context as unknown as CoreContext);
    await expect(resubmitRun({ runId: 'r-fitted-fold2of2' })).rejects.toMatchObject({
      where: { field: 'runId' },
      message:
        'Run r-fitted-fold2of2 is fold 2 of 2 of run r-fitted’s cross-fit, which is scored only when all its folds train together: ' +
        'cross-fit run r-fitted again (Review view, or maskbench review --run r-fitted --folds 2 --by track --on slurm)',
    });
    // A run whose group only looks like a cross-fit's, with no plan naming it, is submitted again as any other.
    await expect(resubmitRun({ runId: 'r-other' })).resolves.toEqual({ id: 'job' });
  });

  it('says what sbatch said when it refuses a job, and leaves no run behind', async () => {
    await fakeSlurm({ sbatch: 'echo "sbatch: error: Batch job submission failed: Invalid partition name specified" >&2; exit 1' });
    const project = await projectWithDataset();
    const profile = { name: 'default', profile: { ...DEFAULTS, partition: 'nope' }, file: null };
    await expect(submitRun({ project, options: OPTIONS, group: null, profile })).rejects.toThrow(
      'The Slurm cluster cannot be reached: sbatch failed: sbatch: error: Batch job submission failed: Invalid partition name specified',
    );
    expect(await readdir(projectPaths(project).runs)).toEqual([]);
  });

  it('keeps listing runs as their folders say, with why the cluster could not say more', async () => {
    await fakeSlurm({ squeue: 'echo "squeue: error: Unable to contact slurm controller (connect failure)" >&2; exit 1' });
    const project = await projectWithDataset();
    const folder = projectPaths(project).run('r-queued');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'config.json'), JSON.stringify(newRunConfig('r-queued', OPTIONS, null)));
    const record: SlurmRecord = { jobId: '41', profile: 'default', resources: DEFAULTS, submittedAt: new Date().toISOString() };
    await writeFile(join(folder, 'slurm.json'), JSON.stringify(record));
    const [run] = await withClusterState(await listRuns(project));
    expect(run).toMatchObject({
      status: 'queued',
      summary: null,
      cluster: { jobId: '41', state: null, problem: expect.stringContaining('Unable to contact slurm controller') },
    });
  });
});

describe('following jobs on the cluster', () => {
  it('asks the cluster about every followed job in one squeue, and keeps asking while it cannot answer', async () => {
    const calls = join(await tempDir(), 'calls');
    const answers = join(await tempDir(), 'answers');
    await writeFile(answers, '11|RUNNING|None|node1\n12|PENDING|Priority|\n');
    // squeue prints what `answers` holds; until it exists, it fails as when the controller is down.
    await fakeSlurm({ squeue: `echo "$@" >> ${calls}; cat ${answers} || { echo "squeue: error: Unable to contact slurm controller" >&2; exit 1; }` });
    const watch = new ClusterWatch(50);
    const signal = new AbortController().signal;
    const first = watch.follow('11');
    const second = watch.follow('12');
    await watch.nextAnswer(signal);
    await watch.nextAnswer(signal);
    expect(watch.word('11')).toEqual({ job: { jobId: '11', state: 'RUNNING', reason: null, node: 'node1' }, problem: null });
    expect(watch.word('12')).toEqual({ job: { jobId: '12', state: 'PENDING', reason: 'Priority', node: null }, problem: null });
    const asked = (await readFile(calls, 'utf8')).trim().split('\n');
    expect(asked.at(-1)).toContain('--jobs=11,12');

    await rm(answers);
    await watch.nextAnswer(signal);
    expect(watch.word('11')).toEqual({ job: undefined, problem: expect.stringContaining('Unable to contact slurm controller') });
    await writeFile(answers, '12|RUNNING|None|node2\n');
    first.stop();
    await watch.nextAnswer(signal);
    await watch.nextAnswer(signal);
    expect(watch.word('12')).toMatchObject({ job: { state: 'RUNNING', node: 'node2' }, problem: null });
    expect((await readFile(calls, 'utf8')).trim().split('\n').at(-1)).toContain('--jobs=12 ');

    // With nothing followed, it stops asking.
    second.stop();
    await watch.nextAnswer(signal);
    const before = (await readFile(calls, 'utf8')).length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await readFile(calls, 'utf8')).length).toBe(before);
  });
});

describe('the line of a job followed on the cluster', () => {
  const job = (state: ClusterJob['state'], node: string | null = null): ClusterJob => ({
    jobId: '12',
    state,
    reason: state === 'PENDING' ? 'Priority' : null,
    node,
  });
  const epochs = (done: number) => ({ done, total: 30 });

  it('says where it waits or trains, as the cluster last said', () => {
    expect(describeJob('12', undefined, null)).toBe('Slurm job 12: waiting for the cluster to say how it fares');
    expect(describeJob('12', job('PENDING'), epochs(0))).toBe('Slurm job 12 waits on the cluster (Priority)');
    expect(describeJob('12', job('RUNNING', 'node3'), epochs(3))).toBe('Slurm job 12 trains on node3: epoch 3 of 30');
    expect(describeJob('12', job('RUNNING', 'node3'), null)).toBe('Slurm job 12 runs on node3');
  });

  it('says it trains once the run has written epochs, though the cluster last said it waits or has not said', () => {
    expect(describeJob('12', job('PENDING'), epochs(2))).toBe('Slurm job 12 trains: epoch 2 of 30');
    expect(describeJob('12', undefined, epochs(1))).toBe('Slurm job 12 trains: epoch 1 of 30');
  });
});

describe('a job that waits for runs on the cluster', () => {
  it('ends when a run it waits for is killed, saying why, and cancels the jobs still there', async () => {
    const bin = await tempDir();
    const cancelled = join(bin, 'cancelled');
    await fakeSlurm({
      squeue: 'printf "30|PENDING|Dependency|\\n31|TIMEOUT|TimeLimit|node1\\n32|RUNNING|None|node2\\n"',
      scancel: `echo "$@" >> ${cancelled}`,
    });
    const folder = await tempDir();
    await writeFile(join(folder, 'slurm-31.log'), 'epoch 3 of 20\nslurmstepd: error: *** JOB 31 CANCELLED DUE TO TIME LIMIT ***\n');
    const waitsOn = [
      { runId: 'r-fold1of2', jobId: '31', folder },
      { runId: 'r-fold2of2', jobId: '32', folder },
    ];
    const context = { signal: new AbortController().signal, progress: () => {}, log: () => {} };
    const error = await followCommand('30', join(folder, 'slurm-30.log'), context, new ClusterWatch(50), waitsOn).catch((caught: Error) => caught);
    expect(error).toMatchObject({
      code: 'cluster-ended',
      message: expect.stringMatching(
        /^Run r-fold1of2, which Slurm job 30 waited for, did not train: Slurm job 31 was killed by the cluster at its time limit \(TimeLimit\) on node1\. Its log: .*slurm-31\.log; it ends: epoch 3 of 20 \/ .*CANCELLED DUE TO TIME LIMIT \*\*\*\. Its other jobs were cancelled\.$/,
      ),
    });
    expect((await readFile(cancelled, 'utf8')).trim().split('\n').sort()).toEqual(['30', '32']);
  });
});

describe('`maskbench sweep --on slurm --dry-run`', () => {
  it('prints each run’s batch script and writes nothing, not even the datasets', async () => {
    const project = await tempDir();
    const file = join(await tempDir(), 'sweep.json');
    await writeFile(file, JSON.stringify({ name: 'grid', training: { model: 'lenet5' }, grid: { learningRate: [0.01, 0.001], batchSize: [8, 32] } }));
    let out = '';
    const code = await runCli(['sweep', '--project', project, '--file', file, '--on', 'slurm', '--dry-run'], { out: (text) => (out += text), err: () => {} });
    expect(code).toBe(0);
    const options = [...out.matchAll(/--options '(.+)'\n/g)].map(
      (match) => JSON.parse(match[1]!) as { learningRate: number; batchSize: number; dataset: string },
    );
    expect(options.map(({ learningRate, batchSize }) => [learningRate, batchSize])).toEqual([
      [0.01, 8],
      [0.01, 32],
      [0.001, 8],
      [0.001, 32],
    ]);
    expect(new Set(options.map((option) => option.dataset))).toEqual(new Set(['grid-s20-box']));
    expect(out.match(/ --group grid /g)).toHaveLength(4);
    expect(await readdir(project)).toEqual([]);
  });
});

describe('`maskbench train --on slurm --dry-run`', () => {
  it('pins the augmentation flags in the run’s options, and names a flag out of range', async () => {
    const project = await tempDir();
    await writeSyntheticDataset(project, 'colours');
    let out = '';
    let err = '';
    const train = (...flags: string[]) =>
      runCli(['train', '--project', project, '--dataset', 'colours', ...flags], { out: (text) => (out += text), err: (text) => (err += text) });
    expect(await train('--augment-shift', '0.05', '--augment-colour', '0', '--no-augment-flip', '--on', 'slurm', '--dry-run')).toBe(0);
    const options = JSON.parse(/--options '(.+)'\n/.exec(out)![1]!) as typeof OPTIONS;
    expect([options.augmentShift, options.augmentColour, options.augmentFlip]).toEqual([0.05, 0, false]);
    expect(await train('--augment-colour', '2')).toBe(2);
    expect(err).toMatch(/^maskbench: --augment-colour .*0\.9/);
  });
});

describe('`maskbench train --run`', () => {
  it('trains a submitted run once: one that has ended is left as it is', async () => {
    const project = await tempDir();
    await writeSyntheticDataset(project, 'colours');
    const folder = projectPaths(project).run('r-ended');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'config.json'), JSON.stringify(newRunConfig('r-ended', OPTIONS, null)));
    const summary = JSON.stringify({ status: 'done', epochs: 30 });
    await writeFile(join(folder, 'summary.json'), summary);
    let err = '';
    const code = await runCli(['train', '--project', project, '--run', 'r-ended', '--options', JSON.stringify(OPTIONS)], {
      out: () => {},
      err: (text) => (err += text),
    });
    expect([code, err]).toEqual([1, `maskbench: Run r-ended has ended already: it is not trained again (file ${join(folder, 'summary.json')})`]);
    expect(await readFile(join(folder, 'summary.json'), 'utf8')).toBe(summary);
  });
});

describe('`maskbench train --run` on a run that started', () => {
  /** A submitted run's folder, with `files` as a run that started leaves them. */
  async function prepared(files: Record<string, string>): Promise<{ project: string; folder: string }> {
    const project = await tempDir();
    await writeSyntheticDataset(project, 'colours');
    const folder = projectPaths(project).run('r1');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'config.json'), JSON.stringify(newRunConfig('r1', { ...OPTIONS, epochs: 20 }, null)));
    for (const [name, text] of Object.entries(files)) await writeFile(join(folder, name), text);
    return { project, folder };
  }

  async function cli(...args: string[]): Promise<{ code: number; err: string }> {
    let err = '';
    const code = await runCli(args, { out: () => {}, err: (text) => (err += text) });
    return { code, err };
  }

  it.each([
    ['cut off after an epoch', 'metrics.jsonl'],
    ['taken by another process', 'running.json'],
  ])('refuses one %s, keeping what it wrote, and points to --resume-from', async (_, name) => {
    const { project, folder } = await prepared({ [name]: '{"kind":"epoch","epoch":1}\n' });
    const before = await readdir(folder);
    const config = await readFile(join(folder, 'config.json'), 'utf8');
    expect(await cli('train', '--project', project, '--run', 'r1', '--options', JSON.stringify({ ...OPTIONS, epochs: 20 }))).toEqual({
      code: 1,
      err: `maskbench: Run r1 has been started already: it is not trained again; --resume-from r1 trains a new run from its last finished epoch (file ${join(folder, name)})`,
    });
    expect([await readdir(folder), await readFile(join(folder, 'config.json'), 'utf8')]).toEqual([before, config]);
  });

  it('trains one that has not started, taking it for this process', async () => {
    const project = await tempDir();
    await writeSyntheticDataset(project, 'tiny', { size: 8 });
    const options = { ...OPTIONS, dataset: 'tiny', model: 'simple-conv', epochs: 1 };
    const folder = projectPaths(project).run('r1');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'config.json'), JSON.stringify(newRunConfig('r1', read(trainingOptionsSchema, options), null)));
    expect(await cli('train', '--project', project, '--run', 'r1', '--options', JSON.stringify(options))).toMatchObject({ code: 0 });
    expect(JSON.parse(await readFile(join(folder, 'summary.json'), 'utf8'))).toMatchObject({ status: 'done', epochs: 1 });
    expect(await readdir(folder)).not.toContain('running.json');
  });

  it('refuses a flag or an --options value that differs from what the run was prepared with, naming it', async () => {
    const { project, folder } = await prepared({});
    expect(await cli('train', '--project', project, '--run', 'r1', '--epochs', '2')).toEqual({
      code: 2,
      err: 'maskbench: --epochs differs from what run r1 was prepared with (2, not 20): --run trains the run as it was prepared',
    });
    expect(await cli('train', '--project', project, '--run', 'r1', '--options', JSON.stringify({ ...OPTIONS, model: 'lenet5', epochs: 20 }))).toEqual({
      code: 2,
      err: 'maskbench: model in --options differs from what run r1 was prepared with ("lenet5", not "conv-bn"): --run trains the run as it was prepared',
    });
    expect(await readdir(folder)).toEqual(['config.json']);
  });
});

describe('`maskbench train --on`', () => {
  async function cli(...args: string[]): Promise<{ code: number; err: string }> {
    let err = '';
    const code = await runCli(args, { out: () => {}, err: (text) => (err += text) });
    return { code, err };
  }

  it('names a target it does not know, and flags that go with the cluster alone', async () => {
    expect(await cli('train', '--project', '/p', '--dataset', 'd', '--on', 'cloud')).toEqual({
      code: 2,
      err: 'maskbench: --on must be local or slurm, got "cloud"',
    });
    expect(await cli('train', '--project', '/p', '--dataset', 'd', '--profile', 'gpu')).toEqual({
      code: 2,
      err: 'maskbench: --profile and --dry-run go with --on slurm',
    });
    expect(await cli('train', '--project', '/p', '--options', '{"model":"x"', '--run', 'r')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^maskbench: --options must be JSON: /),
    });
    expect(await cli('train', '--project', '/p', '--options', '{}', '--epochs', '3')).toEqual({
      code: 2,
      err: 'maskbench: --options takes the place of the option flags: give --epochs inside it',
    });
  });
});
