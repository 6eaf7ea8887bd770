// Training, measured side by side in one run:
// - speed: images/s of a training step (batch 32, random data, SGD with momentum) on tfjs's wasm backend
//   with our kernels, against PyTorch on the same CPU (Debian's python3-torch, when installed), and the
//   GFLOP/s each achieves (a training step counted as 3x the forward FLOPs). Targets: >= 0.5x PyTorch
//   with 2 threads on lenet5 and conv-bn, >= 0.3x on ResNet-50 at 64 px.
// - the second core: two runs of a sweep in parallel against one alone (target >= 1.7x the throughput).
// - memory: tensors at every epoch end and resident memory over 50 epochs (target: flat within 10%).
// - quality: conv-bn on the default sample project's head crops (target: >= 0.90 validation accuracy).

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, bench, describe } from 'vitest';
import type { WorkbenchEvent } from '../src/shared/api';
import { DATASET_DEFAULTS } from '../src/shared/dataset';
import { TRAINING_DEFAULTS, type EpochMetrics, type TrainingOptions } from '../src/shared/runs';
import type { ModelName } from '../src/shared/training';
import { buildDataset } from '../src/core/dataset/build-dataset';
import { useBackend } from '../src/core/training/backends';
import { buildModel, modelCost } from '../src/core/training/models';
import { trainRun, trainStep } from '../src/core/training/train-run';
import { BIN, assertBuilt } from '../test/support/built-app';
import { writeSyntheticDataset } from '../test/support/synthetic-dataset';
import { testWorkbench } from '../test/support/workbench';

assertBuilt();
const run = promisify(execFile);
const folder = await mkdtemp(join(tmpdir(), 'maskbench-bench-training-'));
const results: string[] = [];
const once = { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 };
const context = { signal: new AbortController().signal, progress: () => {}, log: () => {} };
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const PYTHON = '/usr/bin/python3';

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
  console.log(`\nTraining:\n  ${results.join('\n  ')}`);
});

/** Images/s of our training step on random data: median of 3 timed runs of `steps` steps, after 2 untimed. */
function tfjsSpeed(model: ModelName, size: number, batch: number, steps: number): number {
  const network = buildModel(model, { size, classes: 3 }, { seed: 1 });
  const optimizer = tf.train.momentum(0.01, 0.9);
  const variables = network.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const classes = Int32Array.from({ length: batch }, (_, i) => i % 3);
  const step = () =>
    trainStep(network, optimizer, variables, {
      x: tf.randomUniform([batch, size, size, 3]) as tf.Tensor4D,
      y: tf.oneHot(tf.tensor1d(classes, 'int32'), 3) as tf.Tensor2D,
      weights: null,
      classes,
    });
  for (let i = 0; i < 2; i++) step();
  const speeds = [1, 2, 3].map(() => {
    const started = performance.now();
    for (let i = 0; i < steps; i++) step();
    return (steps * batch) / ((performance.now() - started) / 1000);
  });
  network.dispose();
  optimizer.dispose();
  return median(speeds);
}

async function pytorchSpeed(model: ModelName, size: number, batch: number, threads: number): Promise<number | null> {
  const { stdout } = await run(PYTHON, [
    'bench/pytorch/train_speed.py',
    '--model',
    model,
    '--size',
    String(size),
    '--batch',
    String(batch),
    '--threads',
    String(threads),
  ]);
  return (JSON.parse(stdout) as { imagesPerSecond: number }).imagesPerSecond;
}

const hasTorch =
  existsSync(PYTHON) &&
  (await run(PYTHON, ['-c', 'import torch']).then(
    () => true,
    () => false,
  ));
if (!hasTorch) results.push('PyTorch: not installed (apt-get install python3-torch), so no ratios');

describe('training', () => {
  for (const [model, size, batch, steps, target] of [
    ['lenet5', 32, 32, 40, 0.5],
    ['conv-bn', 64, 32, 6, 0.5],
    ['resnet50', 64, 8, 3, 0.3],
  ] as const) {
    bench(
      `${model} at ${size} px, batch ${batch}: tfjs wasm against PyTorch`,
      async () => {
        await useBackend('wasm');
        const ours = tfjsSpeed(model, size, batch, steps);
        const gflops = (images: number) => ((3 * modelCost(model, { size, classes: 3 }).flops * images) / 1e9).toFixed(2);
        let line = `${model} ${size} px batch ${batch}: tfjs wasm ${ours.toFixed(1)} img/s (${gflops(ours)} GFLOP/s)`;
        if (hasTorch) {
          const [two, one] = [await pytorchSpeed(model, size, batch, 2), await pytorchSpeed(model, size, batch, 1)];
          line += `; PyTorch 2 threads ${two!.toFixed(1)} img/s (${gflops(two!)} GFLOP/s), 1 thread ${one!.toFixed(1)}; ratio ${(ours / two!).toFixed(2)}x of 2 threads (target ${target}x), ${(ours / one!).toFixed(2)}x of 1 thread`;
        }
        results.push(line);
      },
      once,
    );
  }

  bench(
    'the second core: two runs of a sweep in parallel against one alone',
    async () => {
      const project = join(folder, 'sweep');
      await writeSyntheticDataset(project, 'colours', {
        size: 64,
        counts: { train: { MW: 200, NM: 200, ND: 200 }, val: { MW: 20, NM: 20, ND: 20 }, test: { MW: 20, NM: 20, ND: 20 } },
      });
      const workbench = testWorkbench(join(folder, 'data'));
      await workbench.openProject({ path: project });
      const options: Partial<TrainingOptions> & { dataset: string } = { dataset: 'colours', model: 'conv-bn', epochs: 5, batchSize: 32, backend: 'wasm' };
      const events: WorkbenchEvent[] = [];
      workbench.onEvent((event) => events.push(event));
      const finished = (ids: string[]) =>
        new Promise<void>((resolve) => {
          const timer = setInterval(
            () => ids.every((id) => events.some((event) => event.type === 'job-done' && event.jobId === id)) && (clearInterval(timer), resolve()),
            20,
          );
        });
      await workbench.savePreferences({ preferences: { keys: {}, trainingJobs: 2 } });
      let started = performance.now();
      await finished([(await workbench.startTraining({ options })).id]);
      const alone = (performance.now() - started) / 1000;
      started = performance.now();
      await finished(
        await Promise.all([workbench.startTraining({ options: { ...options, seed: 2 } }), workbench.startTraining({ options: { ...options, seed: 3 } })]).then(
          (jobs) => jobs.map((job) => job.id),
        ),
      );
      const both = (performance.now() - started) / 1000;
      results.push(
        `two conv-bn runs in parallel (each 5 epochs of 600 crops at 64 px, in its own worker, start to end): ${both.toFixed(1)} s against ${alone.toFixed(1)} s for one; ${((2 * alone) / both).toFixed(2)}x the throughput (target 1.7x)`,
      );
    },
    once,
  );

  bench(
    'memory over 50 epochs',
    async () => {
      const project = join(folder, 'memory');
      await writeSyntheticDataset(project, 'colours');
      const rss: number[] = [];
      const tensors: number[] = [];
      await trainRun(
        { project, runId: 'memory', options: { ...TRAINING_DEFAULTS, dataset: 'colours', model: 'lenet5', epochs: 50, batchSize: 8, backend: 'wasm' } },
        { ...context, report: (report) => report.kind === 'epoch' && (rss.push(process.memoryUsage().rss), tensors.push((report as EpochMetrics).tensors)) },
      );
      const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
      const growth = (rss.at(-1)! - rss[4]!) / rss[4]!;
      results.push(
        `lenet5, 50 epochs: tensors at every epoch end ${[...new Set(tensors)].join(', ')}; resident memory ${mb(rss[4]!)} MB after epoch 5, ${mb(Math.max(...rss))} MB at most, ${mb(rss.at(-1)!)} MB after epoch 50 (${(100 * growth).toFixed(1)}%, target within 10%)`,
      );
    },
    once,
  );

  bench(
    'quality: conv-bn on the default sample project’s head crops',
    async () => {
      const project = join(folder, 'walkway');
      await run(process.execPath, [BIN, 'sample', project]);
      for (const [name, classes] of [
        ['three classes', { classes: 'MW,NM,ND' }],
        ['the study’s two classes (ND left out)', { classes: 'MW,NM', ndPolicy: 'drop' }],
      ] as const) {
        await buildDataset(project, 'heads', { ...DATASET_DEFAULTS, ...classes, stride: 5, crop: 'head' }, context, true);
        const { summary } = await trainRun(
          {
            project,
            runId: `quality-${classes.classes.length}`,
            options: { ...TRAINING_DEFAULTS, dataset: 'heads', model: 'conv-bn', epochs: 12, schedule: 'cosine', backend: 'wasm' },
          },
          context,
        );
        results.push(
          `conv-bn on the default sample, head crops of every 5th frame split by time, ${name}: best validation accuracy ${summary.val!.accuracy.toFixed(3)} (epoch ${summary.bestEpoch}; target 0.90), test ${summary.test!.accuracy.toFixed(3)}, in ${summary.seconds} s`,
        );
      }
    },
    once,
  );
});
