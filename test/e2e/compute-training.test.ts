// The compute page (src/compute) in headless Chromium: each small model trains a few steps on WebGPU and
// on WebGL (both on SwiftShader here) to the same losses and weights as on the cpu backend. The page is the
// built one (out/renderer/compute.html), served from 127.0.0.1: WebGPU needs a secure origin.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAM, ADAM_TOLERANCE, SGD, TOLERANCE, compare, trainRequest } from '../support/compare-backends';
import type { TrainStepsRequest } from '../../src/compute/protocol';
import { openComputePage, type OpenComputePage } from '../support/compute-page';

describe('training on the compute page', () => {
  let computePage: OpenComputePage;
  let page: Page;

  beforeAll(async () => {
    computePage = await openComputePage();
    page = computePage.page;
  });

  afterAll(() => computePage?.close());

  it('reports the WebGPU adapter, and refuses a software one unless asked for', async () => {
    const request: TrainStepsRequest = { ...trainRequest('lenet5', 32, SGD, 1), backend: 'webgpu', allowFallbackAdapter: false };
    const refused = await page.evaluate((request) => window.maskbenchCompute!.trainSteps(request).then(String, (error: Error) => error.message), request);
    expect(refused).toMatch(/only a software adapter here \(google swiftshader\)/);
    const ran = await page.evaluate((request) => window.maskbenchCompute!.trainSteps(request), { ...request, allowFallbackAdapter: true });
    expect(ran.backend).toBe('webgpu');
    expect(ran.adapter).toMatchObject({ vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true });
  });

  it('catches a backend that strays: a learning rate 1 % off is well outside the tolerance', async () => {
    const request = trainRequest('simple-conv', 32, SGD, 2);
    const [strayed] = await compare(page, request, [{ ...request, optimizer: { ...SGD, learningRate: SGD.learningRate * 1.01 } }], TOLERANCE);
    expect(strayed!.worstChange.deviation).toBeGreaterThan(5);
  });

  // ResNet-50's step (23.5 M weights, over a minute on SwiftShader) is checked by the GPU routes' bench.
  it.each([
    { model: 'simple-conv', size: 32, optimizer: SGD, steps: 3, tolerance: TOLERANCE },
    { model: 'conv-bn', size: 32, optimizer: SGD, steps: 3, tolerance: TOLERANCE },
    { model: 'lenet5', size: 32, optimizer: SGD, steps: 3, tolerance: TOLERANCE },
    // Not conv-bn: Adam moves a bias before a batch norm, whose true gradient is zero, by its learning rate
    // in the direction of the rounding noise it gets for a gradient.
    { model: 'lenet5', size: 32, optimizer: ADAM, steps: 2, tolerance: ADAM_TOLERANCE },
  ] as const)('$model at $size px, $optimizer.kind, $steps steps: WebGPU and WebGL train as the cpu backend does', { timeout: 300_000 }, async (row) => {
    const request = trainRequest(row.model, row.size, row.optimizer, row.steps);
    const comparisons = await compare(
      page,
      request,
      (['webgpu', 'webgl'] as const).map((backend) => ({ ...request, backend })),
      row.tolerance,
    );
    // The figures and times, for whoever tunes the tolerances or watches how slow SwiftShader is.
    console.log(JSON.stringify(comparisons));
    expect(comparisons.map(({ losses }) => losses.length)).toEqual([row.steps, row.steps]);
    for (const { backend, worstLoss, worstChange } of comparisons) {
      expect(worstLoss, `${backend}: the loss`).toBeLessThanOrEqual(1);
      expect(worstChange.deviation, `${backend}: ${worstChange.name}`).toBeLessThanOrEqual(1);
    }
  });
});
