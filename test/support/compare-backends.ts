// Training on the compute page's other backends against its cpu backend, step for step: the same
// losses, and each weight moved as far, within tolerances. For the tests and the GPU routes' bench.

import type { Page } from 'playwright-core';
import type { ComputePage } from '../../src/compute/main';
import type { OptimizerSpec, TrainBatch, TrainStepsRequest } from '../../src/compute/protocol';
import { Prng } from '../../src/core/util/prng';

/**
 * How far another backend may be from the cpu backend. Float32 sums in another order, fused multiply-adds
 * and another exp and log move the losses a little, and each weight's change by a little of the largest
 * change in its tensor: the tensor's scale, not each element's, since a change near zero (a bias before a
 * batch norm) is rounding noise whose relative error means nothing.
 */
export const TOLERANCE: Tolerances = { loss: { absolute: 1e-5, relative: 1e-3 }, change: { absolute: 1e-7, relative: 1e-3 } };

/**
 * Adam's first steps move each weight by about its learning rate whatever the size of its gradient, so a
 * gradient near zero, mostly rounding, moves as far as any other: the changes can only agree more loosely.
 */
export const ADAM_TOLERANCE: Tolerances = { ...TOLERANCE, change: { absolute: 1e-7, relative: 1e-2 } };

/**
 * ResNet-50 at 32 px normalises its last stage over 4 values a channel (batch 4 x 1 x 1 px), which
 * magnifies rounding: one step on the cpu and wasm backends in Node already differs by a quarter of the
 * largest change in some tensors, and by 5e-4 in the loss. So this catches a kernel that is wrong, not
 * one a little off: the small models check that.
 */
export const RESNET_TOLERANCE: Tolerances = { loss: { absolute: 1e-5, relative: 3e-3 }, change: { absolute: 1e-7, relative: 0.5 } };

export const SGD: OptimizerSpec = { kind: 'sgd', learningRate: 0.01, momentum: 0.9 };
export const ADAM: OptimizerSpec = { kind: 'adam', learningRate: 0.001 };

export interface Tolerance {
  absolute: number;
  relative: number;
}

export interface Tolerances {
  loss: Tolerance;
  /** Of a weight's change over the steps, against the largest change in its tensor. */
  change: Tolerance;
}

/** A backend's run against the cpu backend's, in tolerances: 1 is just within. */
export interface Comparison {
  backend: string;
  losses: number[];
  milliseconds: number;
  /** The step whose loss differs most. */
  worstLoss: number;
  /** The tensor whose change differs most. */
  worstChange: { name: string; deviation: number };
}

/** Two batches of 4 seeded random images over 3 classes, trained on in turn. */
export function trainRequest(model: TrainStepsRequest['model'], size: number, optimizer: OptimizerSpec, steps: number): TrainStepsRequest {
  const random = new Prng(11);
  const batch = (): TrainBatch => ({ images: Array.from({ length: 4 * size * size * 3 }, () => random.next()), labels: [0, 1, 2, 1] });
  return { model, size, classes: 3, backend: 'cpu', allowFallbackAdapter: true, seed: 7, optimizer, batches: [batch(), batch()], steps };
}

/**
 * Runs `reference` from its initial weights and then each of `others`, and compares them in the page: the
 * weights (ResNet-50's 23.5 M) stay there, only the figures come back.
 */
export async function compare(page: Page, reference: TrainStepsRequest, others: TrainStepsRequest[], tolerance: Tolerances): Promise<Comparison[]> {
  return page.evaluate(
    async ({ reference, others, tolerance }) => {
      const compute: ComputePage = window.maskbenchCompute!;
      const initial = (await compute.trainSteps({ ...reference, steps: 0 })).weights;
      const expected = await compute.trainSteps(reference);
      const comparisons: Comparison[] = [];
      for (const request of others) {
        const result = await compute.trainSteps(request);
        const lossDeviations = result.losses.map((loss, step) => {
          const want = expected.losses[step]!;
          return Math.abs(loss - want) / (tolerance.loss.absolute + tolerance.loss.relative * Math.abs(want));
        });
        let worstChange = { name: '', deviation: 0 };
        result.weights.forEach(({ values }, index) => {
          const start = initial[index]!.values;
          const { name, values: want } = expected.weights[index]!;
          let largest = 0;
          let farthest = 0;
          for (let i = 0; i < want.length; i++) {
            largest = Math.max(largest, Math.abs(want[i]! - start[i]!));
            const off = Math.abs(values[i]! - want[i]!);
            // Math.max passes NaN on, but a NaN must count as the worst of all.
            farthest = Number.isNaN(off) ? Infinity : Math.max(farthest, off);
          }
          const deviation = farthest / (tolerance.change.absolute + tolerance.change.relative * largest);
          if (deviation > worstChange.deviation) worstChange = { name, deviation };
        });
        const worstLoss = lossDeviations.some(Number.isNaN) ? Infinity : Math.max(0, ...lossDeviations);
        comparisons.push({ backend: result.backend, losses: result.losses, milliseconds: Math.round(result.milliseconds), worstLoss, worstChange });
      }
      return comparisons;
    },
    { reference, others, tolerance },
  );
}
