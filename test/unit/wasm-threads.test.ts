// wasm on every core: how many threads a run asks for, the threaded build in this process and in the
// built worker thread, and the same training steps on one thread and on two.

import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { TRAINING_DEFAULTS, type RunConfig } from '../../src/shared/runs';
import { trainingSlotPolicy } from '../../src/core/handlers/training';
import { useBackend } from '../../src/core/training/backends';
import { buildModel } from '../../src/core/training/models';
import { trainStep } from '../../src/core/training/trainer';
import { MAX_WASM_THREADS, wasmThreads } from '../../src/core/training/wasm/thread-count';
import type { FromWorker } from '../../src/core/worker/tasks';
import { assertBuilt } from '../support/built-app';
import { writeSyntheticDataset } from '../support/synthetic-dataset';
import { useTempDirs } from '../support/temp-dir';
import { WORKER_SCRIPT } from '../support/workbench';

const tempDir = useTempDirs();
const THREADS = 'MASKBENCH_WASM_THREADS';
/** Starting a wasm build and training take seconds, and many more on a busy machine. */
const SLOW = 60_000;

afterEach(() => {
  delete process.env[THREADS];
});

describe('the threads of a wasm run', () => {
  it('are every core, up to the 8 tfjs starts', () => {
    expect(wasmThreads({}, 2)).toEqual({ count: 2, note: null });
    expect(wasmThreads({}, 1)).toEqual({ count: 1, note: null });
    expect(wasmThreads({}, 32)).toEqual({ count: MAX_WASM_THREADS, note: null });
  });

  it('are what MASKBENCH_WASM_THREADS asks for, never more than the cores or what tfjs starts', () => {
    expect(wasmThreads({ [THREADS]: '1' }, 4)).toEqual({ count: 1, note: null });
    expect(wasmThreads({ [THREADS]: ' 3 ' }, 4)).toEqual({ count: 3, note: null });
    expect(wasmThreads({ [THREADS]: '' }, 4)).toEqual({ count: 4, note: null });
    expect(wasmThreads({ [THREADS]: '3' }, 2)).toEqual({ count: 2, note: "MASKBENCH_WASM_THREADS=3 is more than this machine's 2 cores" });
    expect(wasmThreads({ [THREADS]: '20' }, 2)).toEqual({ count: 2, note: "MASKBENCH_WASM_THREADS=20 is more than this machine's 2 cores" });
    expect(wasmThreads({ [THREADS]: '12' }, 32)).toEqual({ count: 8, note: "MASKBENCH_WASM_THREADS=12 is more than tfjs's wasm backend starts (8)" });
  });

  it('bound the cores one training job is given; the trainingJobs setting fixes how many run at once', () => {
    const cores = availableParallelism();
    expect(trainingSlotPolicy(undefined)).toEqual({ cores, jobs: null, maxPerJob: Math.min(cores, MAX_WASM_THREADS) });
    expect(trainingSlotPolicy(3)).toEqual({ cores, jobs: 3, maxPerJob: Math.min(cores, MAX_WASM_THREADS) });
    process.env[THREADS] = '1';
    expect(trainingSlotPolicy(undefined)).toEqual({ cores, jobs: null, maxPerJob: 1 });
  });

  it.each(['0', '-2', '1.5', 'many'])('are every core when MASKBENCH_WASM_THREADS=%s cannot be read, and say why', (value) => {
    expect(wasmThreads({ [THREADS]: value }, 4)).toEqual({
      count: 4,
      note: `MASKBENCH_WASM_THREADS=${value} is not a whole number of threads, so every core is used`,
    });
  });
});

/** Losses of a few conv-bn training steps on fixed data, on the wasm backend with `threads` threads. */
async function losses(threads: number): Promise<number[]> {
  expect((await useBackend('wasm', threads)).threads).toBe(threads);
  const model = buildModel('conv-bn', { size: 16, classes: 3 }, { seed: 5 });
  const optimizer = tf.train.momentum(0.05, 0.9);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const classes = Int32Array.from({ length: 8 }, (_, i) => i % 3);
  const result: number[] = [];
  for (let step = 0; step < 4; step++) {
    const x = tf.tidy(() =>
      tf.add(tf.randomUniform([8, 16, 16, 3], 0, 1, 'float32', 11 + step), tf.reshape(tf.cast(tf.tensor1d(classes), 'float32'), [8, 1, 1, 1])),
    );
    const y = tf.oneHot(tf.tensor1d(classes, 'int32'), 3);
    result.push((await trainStep(model, optimizer, variables, { x: x as tf.Tensor4D, y: y as tf.Tensor2D, weights: null, classes })).loss);
  }
  model.dispose();
  optimizer.dispose();
  return result;
}

describe('the threaded wasm backend', { timeout: SLOW }, () => {
  it('runs on the threads MASKBENCH_WASM_THREADS asks for, and tells the run', async () => {
    process.env[THREADS] = '2';
    const used = await useBackend('wasm');
    expect(used).toEqual({ name: 'wasm', requested: 'wasm', passedOver: [], threads: 2 });
    expect(tf.getBackend()).toBe('wasm');
    expect(getThreadsCount()).toBe(2);
  });

  it('trains a few conv-bn steps to the losses of one thread, within float rounding', async () => {
    const one = await losses(1);
    const two = await losses(2);
    expect(one[3]).toBeLessThan(one[0]!);
    two.forEach((loss, i) => expect(Math.abs(loss - one[i]!) / one[i]!, `step ${i + 1}`).toBeLessThan(1e-5));
  });
});

describe('wasm threads in the built worker', { timeout: SLOW }, () => {
  it('train there, and the worker thread ends by itself when its run is done', async () => {
    assertBuilt();
    const project = await tempDir();
    await writeSyntheticDataset(project, 'colours');
    const input = {
      project,
      runId: 'threads',
      options: { ...TRAINING_DEFAULTS, dataset: 'colours', model: 'simple-conv', epochs: 1, batchSize: 8, backend: 'wasm' },
    };
    const worker = new Worker(WORKER_SCRIPT, { workerData: { task: 'train', input }, env: { ...process.env, [THREADS]: '2' } });
    const messages: FromWorker[] = [];
    worker.on('message', (message: FromWorker) => messages.push(message));
    // Resolves on exit: a worker kept alive by its wasm threads would time the test out.
    const code = await new Promise<number>((resolve, reject) => worker.on('exit', resolve).on('error', reject));
    expect(code).toBe(0);
    expect(messages.at(-1)).toMatchObject({ type: 'done' });
    const config = JSON.parse(await readFile(join(project, 'runs', 'threads', 'config.json'), 'utf8')) as RunConfig;
    expect(config.backend).toEqual({ name: 'wasm', requested: 'wasm', passedOver: [], threads: 2 });
  });
});
