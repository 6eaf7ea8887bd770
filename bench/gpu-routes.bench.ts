// The compute page's GPU routes, timed: images/s of core's training step on webgpu and webgl in headless
// Chromium, beside the cpu backend in the same page. Where the machine has no GPU, Chromium's adapter is
// SwiftShader, software: these figures then say only that the route runs, not how fast a GPU trains.
// Also ResNet-50's training step on WebGPU against the cpu backend's: too slow for the tests, which
// check the small models so.

import { afterAll, bench, describe } from 'vitest';
import type { TrainStepsRequest } from '../src/compute/protocol';
import type { ModelName } from '../src/shared/training';
import { Prng } from '../src/core/util/prng';
import { RESNET_TOLERANCE, SGD, compare, trainRequest } from '../test/support/compare-backends';
import { openComputePage } from '../test/support/compute-page';

const results: string[] = [];
const once = { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 };
const computePage = await openComputePage();

/** A request of `steps` steps on batches of `batch` random crops. */
function request(model: ModelName, size: number, batch: number, steps: number, backend: TrainStepsRequest['backend']): TrainStepsRequest {
  const random = new Prng(3);
  const images = Array.from({ length: batch * size * size * 3 }, () => random.next());
  const labels = Array.from({ length: batch }, (_, i) => i % 3);
  return {
    model,
    size,
    classes: 3,
    backend,
    allowFallbackAdapter: true,
    seed: 1,
    optimizer: { kind: 'sgd', learningRate: 0.01, momentum: 0.9 },
    batches: [{ images, labels }],
    steps,
  };
}

/**
 * Images/s of a step: `steps` steps less one, each call's set-up (building the model) cancelling out,
 * after a first call that compiles the backend's shaders.
 */
async function speed(model: ModelName, size: number, batch: number, steps: number, backend: TrainStepsRequest['backend']) {
  return computePage.page.evaluate(
    async (asked) => {
      const compute = window.maskbenchCompute!;
      await compute.trainSteps({ ...asked, steps: 1 });
      const one = await compute.trainSteps({ ...asked, steps: 1 });
      const many = await compute.trainSteps(asked);
      const adapter = many.adapter;
      return {
        imagesPerSecond: ((asked.steps - 1) * asked.batches[0]!.labels.length) / ((many.milliseconds - one.milliseconds) / 1000),
        device: adapter ? `${adapter.vendor} ${adapter.architecture}${adapter.isFallbackAdapter ? ', software' : ''}` : null,
      };
    },
    request(model, size, batch, steps, backend),
  );
}

describe('GPU routes of the compute page', () => {
  for (const [model, size, batch, steps] of [
    ['lenet5', 32, 32, 5],
    // Small: SwiftShader's WebGPU takes seconds an image at 64 px.
    ['conv-bn', 32, 8, 3],
  ] as const) {
    bench(
      `${model} at ${size} px, batch ${batch}: webgpu, webgl and cpu in the compute page`,
      async () => {
        const figures: string[] = [];
        for (const backend of ['webgpu', 'webgl', 'cpu'] as const) {
          const { imagesPerSecond, device } = await speed(model, size, batch, steps, backend);
          figures.push(`${backend}${device ? ` (${device})` : ''} ${imagesPerSecond.toFixed(1)} img/s`);
        }
        results.push(`${model} ${size} px batch ${batch} in headless Chromium: ${figures.join(', ')}`);
      },
      once,
    );
  }
});

describe('ResNet-50 on the GPU routes', () => {
  bench(
    'one step on webgpu and on webgl as on cpu in the compute page',
    async () => {
      const reference = trainRequest('resnet50', 32, SGD, 1);
      const backends = ['webgpu', 'webgl'] as const;
      const comparisons = await compare(
        computePage.page,
        reference,
        backends.map((backend) => ({ ...reference, backend })),
        RESNET_TOLERANCE,
      );
      for (const [index, { worstLoss, worstChange, milliseconds }] of comparisons.entries()) {
        const within = `loss ${worstLoss.toFixed(2)}, weights ${worstChange.deviation.toFixed(2)} (${worstChange.name}) of the tolerance`;
        // A wrong kernel is a failure, not a figure.
        if (worstLoss > 1 || worstChange.deviation > 1) throw new Error(`ResNet-50 on ${backends[index]} strays from the cpu backend: ${within}`);
        results.push(`resnet50 32 px, one SGD step on ${backends[index]} against cpu: ${within}, in ${(milliseconds / 1000).toFixed(1)} s`);
      }
    },
    once,
  );
});

afterAll(async () => {
  await computePage.close();
  console.log(
    ['', 'GPU routes (on SwiftShader, a software adapter, where there is no GPU: correctness only, not speed):', ...results.map((line) => `  ${line}`)].join(
      '\n',
    ),
  );
});
