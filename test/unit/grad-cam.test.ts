import { cp, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DATASET_DEFAULTS, type DatasetManifest } from '../../src/shared/dataset';
import { boxAt } from '../../src/shared/keyframes';
import { TRAINING_DEFAULTS } from '../../src/shared/runs';
import { buildDataset } from '../../src/core/dataset/build-dataset';
import { decodeVideoFrame } from '../../src/core/media/decode-frames';
import { explainBox } from '../../src/core/review/explain-box';
import { gradCam } from '../../src/core/review/grad-cam';
import type { GradCamMap } from '../../src/shared/review';
import { predictProject, projectSource } from '../../src/core/review/predict-project';
import { openHere } from '../../src/core/review/run-here';
import { projectPaths } from '../../src/core/project/layout';
import { Prng } from '../../src/core/util/prng';
import { useBackend } from '../../src/core/training/backends';
import { buildModel } from '../../src/core/training/models';
import { trainRun } from '../../src/core/training/train-run';

const quiet = () => ({ signal: new AbortController().signal, progress: () => {}, log: () => {} });

beforeAll(async () => {
  await useBackend('auto');
});

describe('Grad-CAM', () => {
  const SIZE = 32;
  const PATCH = 8;

  /**
   * Class 0: noise with a bright patch somewhere in one of the four quadrants (taken in turn); class 1:
   * noise alone. (Classes told apart by which quadrant holds the patch were tried first: a network that
   * flattens its last feature map then often decides by where the patch is not, and Grad-CAM, which
   * averages each channel's gradients over the whole map, has nothing positive to show.)
   */
  function patchImages(count: number, random: Prng): { x: tf.Tensor4D; y: tf.Tensor2D; classes: number[]; quadrants: number[] } {
    const pixels = new Float32Array(count * SIZE * SIZE * 3);
    const classes = Array.from({ length: count }, (_, i) => i % 2);
    // 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right.
    const quadrants = classes.map((_, i) => Math.floor(i / 2) % 4);
    classes.forEach((label, i) => {
      const left = (quadrants[i]! % 2) * (SIZE / 2) + Math.floor(random.next() * (SIZE / 2 - PATCH + 1));
      const top = Math.floor(quadrants[i]! / 2) * (SIZE / 2) + Math.floor(random.next() * (SIZE / 2 - PATCH + 1));
      for (let row = 0; row < SIZE; row++) {
        for (let col = 0; col < SIZE; col++) {
          const inPatch = label === 0 && row >= top && row < top + PATCH && col >= left && col < left + PATCH;
          for (let channel = 0; channel < 3; channel++) pixels[((i * SIZE + row) * SIZE + col) * 3 + channel] = inPatch ? 1 : random.next() * 0.4;
        }
      }
    });
    return { x: tf.tensor4d(pixels, [count, SIZE, SIZE, 3]), y: tf.tidy(() => tf.cast(tf.oneHot(classes, 2), 'float32')) as tf.Tensor2D, classes, quadrants };
  }

  function quadrantOf(map: GradCamMap, cell: number): number {
    const [row, col] = [Math.floor(cell / map.cols), cell % map.cols];
    return (row < map.rows / 2 ? 0 : 2) + (col < map.cols / 2 ? 0 : 1);
  }

  it('finds what decided the class: a trained model’s map peaks in the quadrant holding the patch, and only for that class', async () => {
    const random = new Prng(1);
    const model = buildModel('simple-conv', { size: SIZE, classes: 2 }, { seed: 101 });
    const train = patchImages(96, random);
    const test = patchImages(16, random);
    try {
      model.compile({ optimizer: tf.train.adam(0.003), loss: 'categoricalCrossentropy' });
      await model.fit(train.x, train.y, { epochs: 8, batchSize: 16, shuffle: false, verbose: 0 });
      const predicted = tf.tidy(() => tf.argMax(model.predict(test.x) as tf.Tensor2D, -1).arraySync() as number[]);
      expect(predicted).toEqual(test.classes);

      let peaksOnPatch = 0;
      const heatOnPatch = [0, 0];
      for (const [i, label] of test.classes.entries()) {
        if (label !== 0) continue;
        const image = tf.slice(test.x, [i, 0, 0, 0], [1, SIZE, SIZE, 3]);
        const [patch, noise] = (await Promise.all([0, 1].map((classIndex) => gradCam(model, image, classIndex)))) as [GradCamMap, GradCamMap];
        image.dispose();
        expect(patch).toMatchObject({ layer: 'conv_3', rows: 8, cols: 8 });
        if (quadrantOf(patch, patch.values.indexOf(1)) === test.quadrants[i]) peaksOnPatch++;
        [patch, noise].forEach((map, classIndex) =>
          map.values.forEach((value, cell) => quadrantOf(map, cell) === test.quadrants[i] && (heatOnPatch[classIndex]! += value)),
        );
      }
      // A heuristic on a small network: all but one of the 8 peaks must be right (other backends round differently).
      expect(peaksOnPatch).toBeGreaterThanOrEqual(7);
      // The gradients, not the activations alone, place the heat: the class that is not about the patch puts less there.
      expect(heatOnPatch[0]).toBeGreaterThan(heatOnPatch[1]!);
    } finally {
      tf.dispose([train.x, train.y, test.x, test.y]);
      model.dispose();
    }
  }, 30_000);

  it('follows ResNet-50’s shortcuts from its last convolution with a map of 4x4 cells or more, in inference mode, and leaks no tensor', async () => {
    const model = buildModel('resnet50', { size: 32, classes: 3 }, { seed: 2 });
    const image = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    try {
      const movingStatistics = () => model.weights.filter((weight) => weight.name.includes('moving_')).map((weight) => Array.from(weight.read().dataSync()));
      const before = movingStatistics();
      expect(before).toHaveLength(2 * 53);
      const tensors = tf.memory().numTensors;
      for (let classIndex = 0; classIndex < 3; classIndex++) {
        const map = await gradCam(model, image, classIndex);
        // At 32 px stage 4 is 1x1 and stage 3 2x2: the map comes from the last convolution before stage 3's
        // stride (its first 1x1), through every layer after it.
        expect(map).toMatchObject({ layer: 'stage3_block1_conv1', rows: 4, cols: 4 });
        expect(map.values).toHaveLength(16);
        expect(map.values.every((value) => value >= 0 && value <= 1)).toBe(true);
      }
      expect(tf.memory().numTensors).toBe(tensors);
      // Batch norm ran on its moving statistics and left them as they were.
      expect(movingStatistics()).toEqual(before);
    } finally {
      image.dispose();
      model.dispose();
    }
  }, 30_000);
});

describe('explaining one box', () => {
  let project: string;

  beforeAll(async () => {
    // Shared by the tests below, so not from useTempDirs (which empties after each test).
    project = await mkdtemp(join(tmpdir(), 'maskbench-test-explain-'));
    await cp(inject('sampleProject'), project, { recursive: true });
    await buildDataset(project, 'heads', { ...DATASET_DEFAULTS, stride: 2, gap: 5, crop: 'head', size: 32 }, quiet());
    await trainRun(
      { project, runId: 'heads', options: { ...TRAINING_DEFAULTS, dataset: 'heads', model: 'simple-conv', epochs: 2, batchSize: 16, backend: 'wasm' } },
      quiet(),
    );
  }, 120_000);
  afterAll(() => rm(project, { recursive: true, force: true }));

  it('shows the crop the run’s dataset cut for the box, and says of it what predicting the whole project says', async () => {
    const manifest = JSON.parse(await readFile(join(project, 'datasets', 'heads', 'manifest.json'), 'utf8')) as DatasetManifest;
    const sample = manifest.samples.find((candidate) => candidate.variant === 'original' && candidate.frame > 50)!;
    const explanation = await explainBox({ project, runId: 'heads', frame: sample.frame, trackId: sample.trackId }, openHere());

    expect(explanation).toMatchObject({ runId: 'heads', frame: sample.frame, trackId: sample.trackId, labels: ['MW', 'NM', 'ND'], size: 32, layer: 'conv_3' });
    expect(explanation.crop).toMatch(/^data:image\/png;base64,/);
    const png = Buffer.from(explanation.crop.slice(explanation.crop.indexOf(',') + 1), 'base64');
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 32, height: 32 });
    const pixels = (file: Buffer | string) => sharp(file).removeAlpha().raw().toBuffer();
    expect((await pixels(png)).equals(await pixels(join(project, 'datasets', 'heads', sample.file)))).toBe(true);

    const predictions = await predictProject({ project, runId: 'heads', from: sample.frame - 1, to: sample.frame + 1 }, quiet(), openHere());
    const same = predictions.boxes.find((box) => box.frame === sample.frame && box.trackId === sample.trackId)!;
    expect(explanation.label).toBe(same.label);
    expect(explanation.predicted).toBe(same.predicted);
    explanation.probabilities.forEach((p, i) => expect(p).toBeCloseTo(same.probabilities[i]!, 3));
    // The frames either side give other figures: the decoded frame is the one asked for.
    const neighbours = predictions.boxes.filter((box) => box.frame !== sample.frame && box.trackId === sample.trackId);
    expect(neighbours.every((box) => box.probabilities.join() !== same.probabilities.join())).toBe(true);

    expect(explanation.heat).toMatchObject({ rows: 8, cols: 8 });
    expect(explanation.heat.values).toHaveLength(64);
    expect(explanation.heat.values.every((value) => value >= 0 && value <= 1)).toBe(true);
  }, 30_000);

  it('names the field at fault: a frame outside the clip, a track with no box there or none at all', async () => {
    const { annotations } = await projectSource(project);
    const ask = (frame: number, trackId: number) => explainBox({ project, runId: 'heads', frame, trackId }, openHere());
    const trackId = annotations.tracks[0]!.id;
    await expect(ask(annotations.frameCount, trackId)).rejects.toMatchObject({ code: 'invalid-request', where: { field: 'frame' } });
    await expect(ask(-1, trackId)).rejects.toMatchObject({ where: { field: 'frame' } });
    await expect(ask(1.5, trackId)).rejects.toMatchObject({ where: { field: 'frame' } });
    await expect(ask(0, 99_999)).rejects.toMatchObject({ where: { field: 'trackId' }, message: expect.stringContaining('no track 99999') });
    const late = annotations.tracks.find((track) => boxAt(track, 0) === null)!;
    await expect(ask(0, late.id)).rejects.toMatchObject({ where: { field: 'trackId' }, message: `Track ${late.id} has no box at frame 0` });
  });

  it('refuses a run whose model file is missing', async () => {
    const file = join(projectPaths(project).run('heads'), 'model-best', 'model.json');
    const { annotations } = await projectSource(project);
    await rename(file, `${file}.away`);
    try {
      const track = annotations.tracks.find((candidate) => boxAt(candidate, 10))!;
      await expect(explainBox({ project, runId: 'heads', frame: 10, trackId: track.id }, openHere())).rejects.toMatchObject({
        code: 'not-found',
        where: { file },
      });
    } finally {
      await rename(`${file}.away`, file);
    }
  });

  it('says which video has no such frame', async () => {
    const video = join(project, 'media', 'walkway.mp4');
    await expect(decodeVideoFrame(video, 640, 360, 100_000)).rejects.toMatchObject({
      code: 'io-error',
      message: `${video} has no frame 100000`,
      where: { file: video },
    });
    const missing = join(project, 'media', 'gone.mp4');
    await expect(decodeVideoFrame(missing, 640, 360, 0)).rejects.toMatchObject({ code: 'io-error', message: expect.stringContaining(missing) });
  });
});
