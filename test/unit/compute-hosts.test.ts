// Core's side of the compute page's link: the frames both ends speak, a run sent to a page (a scripted
// one here; the real page trains in test/e2e/compute-host.test.ts), and a run's model loaded there to
// judge crops. Core streams the crops in batches, writes what the page sends to the run folder, and
// ends the job however the page ends.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { WorkbenchEvent } from '../../src/shared/api';
import { decodeFrame, encodeFrame, type FromHost, type ToHost, type TrainingOutcome } from '../../src/shared/compute';
import { TRAINING_DEFAULTS, type SplitMetrics, type TrainingReport } from '../../src/shared/runs';
import { ComputeHosts, type HostLink } from '../../src/core/compute/compute-hosts';
import type { JobContext } from '../../src/core/jobs/job-runner';
import { readJsonFile } from '../../src/core/fs/json-file';
import { modelPaths, projectPaths, runPaths } from '../../src/core/project/layout';
import { writeModelFiles } from '../../src/core/training/model-files';
import { writeSyntheticDataset } from '../support/synthetic-dataset';
import { useTempDirs } from '../support/temp-dir';
import { testWorkbench } from '../support/workbench';

const tempDir = useTempDirs();

describe('compute message frames', () => {
  it('carry typed arrays as bytes, at any offset of the frame', () => {
    const message: ToHost = { type: 'pixels', jobId: 'a', split: 'val', offset: 3, pixels: Uint8Array.from([1, 2, 3, 4, 5]) };
    const frame = encodeFrame(message);
    expect(decodeFrame(frame)).toEqual(message);
    const shifted = new Uint8Array(frame.byteLength + 1);
    shifted.set(frame, 1);
    expect(decodeFrame(shifted.subarray(1))).toEqual(message);
    const weights = Float32Array.from([0.5, -1, 3e-8]);
    const classes = Int32Array.from([2, 0, 1]);
    const decoded = decodeFrame<ToHost>(
      encodeFrame({
        type: 'train',
        jobId: 'b',
        backend: 'webgl',
        options: { ...TRAINING_DEFAULTS, dataset: 'd' },
        labels: ['MW', 'NM', 'ND'],
        size: 8,
        classWeights: weights,
        splits: { train: { count: 3, classes, files: ['x'] }, val: { count: 0, classes: new Int32Array(), files: [] }, test: { count: 0, classes, files: [] } },
      }),
    );
    expect(decoded.type === 'train' && decoded.classWeights).toEqual(weights);
    expect(decoded.type === 'train' && decoded.splits.train.classes).toEqual(classes);
    // A Node Buffer (what core reads files and crops into) travels as bytes too, not as its toJSON.
    const buffer = decodeFrame<ToHost>(encodeFrame({ type: 'classify', jobId: 'c', request: 1, pixels: Buffer.from([7, 8, 9]), count: 1 }));
    expect(buffer.type === 'classify' && [...buffer.pixels]).toEqual([7, 8, 9]);
  });

  it('refuse a frame shorter than it says', () => {
    const frame = encodeFrame({ type: 'cancel', jobId: 'a' });
    expect(() => decodeFrame(frame.subarray(0, 6))).toThrow(/shorter than its header says/);
  });
});

const metrics = (accuracy: number): SplitMetrics => ({
  loss: 1 - accuracy,
  accuracy,
  perClass: [],
  confusion: {
    labels: ['MW', 'NM', 'ND'],
    matrix: [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ],
  },
});

/** A page that answers a run as the script says, recording what core sent it. */
function scriptedPage(hosts: ComputeHosts, answer: (message: ToHost, reply: (message: FromHost) => void, link: HostLink) => void) {
  const received: ToHost[] = [];
  const closed: string[] = [];
  const link: HostLink = hosts.connect({
    send: (frame) => {
      const message = decodeFrame<ToHost>(frame);
      received.push(message);
      // As a socket would: later, not inside core's send.
      setTimeout(() => answer(message, (reply) => link.receive(encodeFrame(reply)), link), 0);
    },
    close: (reason) => closed.push(reason),
  });
  return { received, closed, link };
}

async function project() {
  const dir = await tempDir();
  await writeSyntheticDataset(dir, 'colours', { size: 8 });
  return dir;
}

function job(signal = new AbortController().signal) {
  const reports: TrainingReport[] = [];
  const context: JobContext = { signal, progress: () => {}, log: () => {}, report: (report) => reports.push(report) };
  return { context, reports };
}

const OPTIONS = { ...TRAINING_DEFAULTS, dataset: 'colours', model: 'simple-conv' as const, backend: 'webgpu' as const, epochs: 1, batchSize: 8 };

describe('a run on a compute page', () => {
  it('sends the crops in batches and writes what the page sends to the run folder', async () => {
    const dir = await project();
    const hosts = new ComputeHosts();
    const outcome: TrainingOutcome = { status: 'done', train: metrics(0.9), test: metrics(0.8) };
    const page = scriptedPage(hosts, (message, reply) => {
      if (message.type !== 'start') return;
      const jobId = message.jobId;
      const epoch = {
        kind: 'epoch' as const,
        epoch: 1,
        trainLoss: 0.5,
        trainAccuracy: 0.7,
        valLoss: 0.4,
        valAccuracy: 0.75,
        perClass: [],
        learningRate: 0.01,
        imagesPerSecond: 10,
        seconds: 1,
        tensors: 3,
      };
      const predictions = { labels: ['MW', 'NM', 'ND'], files: [], truth: [], predicted: [], confidence: [] };
      reply({ type: 'backend', jobId, backend: { name: 'webgpu', requested: 'webgpu', passedOver: [], threads: null, device: 'test adapter (software)' } });
      reply({ type: 'batch', jobId, metrics: { kind: 'batch', epoch: 1, batch: 1, batches: 1, loss: 0.5, accuracy: 0.7 } });
      reply({ type: 'epoch', jobId, metrics: epoch, confusion: metrics(0.75).confusion, predictions });
      reply({ type: 'model', jobId, which: 'best', files: { modelJson: { format: 'layers-model' }, weights: Uint8Array.from([9, 8, 7]) } });
      reply({ type: 'model', jobId, which: 'last', files: { modelJson: { format: 'layers-model' }, weights: Uint8Array.from([1]) } });
      reply({ type: 'test', jobId, epoch: 1, confusion: metrics(0.8).confusion, predictions });
      reply({ type: 'done', jobId, outcome });
    });
    const { context, reports } = job();
    const result = await hosts.train('webgpu', { project: dir, runId: 'gpu-run', options: OPTIONS }, context);

    expect(result.summary).toMatchObject({ status: 'done', epochs: 1, bestEpoch: 1, val: { accuracy: 0.75 }, test: outcome.test, train: outcome.train });
    const [train] = page.received;
    expect(train).toMatchObject({ type: 'train', jobId: 'gpu-run', backend: 'webgpu', size: 8, labels: ['MW', 'NM', 'ND'] });
    const pixels = page.received.filter((message) => message.type === 'pixels');
    // 72 + 24 + 24 crops of 8 x 8 x 3 bytes, every byte sent once.
    expect(pixels.reduce((sum, message) => sum + (message.type === 'pixels' ? message.pixels.byteLength : 0), 0)).toBe(120 * 8 * 8 * 3);
    expect(page.received.at(-1)).toEqual({ type: 'start', jobId: 'gpu-run' });

    const files = runPaths(projectPaths(dir).run('gpu-run'));
    expect(await readJsonFile(files.config)).toMatchObject({ backend: { name: 'webgpu', device: 'test adapter (software)' }, dataset: { name: 'colours' } });
    expect([...(await readFile(modelPaths(files.model('best')).weights))]).toEqual([9, 8, 7]);
    expect((await readFile(files.metrics, 'utf8')).trim().split('\n')).toHaveLength(2);
    expect(reports.map((report) => report.kind)).toEqual(['batch', 'epoch', 'confusion', 'confusion']);
  });

  it('fails the run with the reason when the page goes away, keeping what it sent', async () => {
    const dir = await project();
    const hosts = new ComputeHosts();
    scriptedPage(hosts, (message, reply, link) => {
      if (message.type !== 'start') return;
      reply({ type: 'backend', jobId: message.jobId, backend: { name: 'webgl', requested: 'webgl', passedOver: [], threads: null, device: 'gpu' } });
      link.closed('the window was closed');
    });
    await expect(hosts.train('webgl', { project: dir, runId: 'lost', options: { ...OPTIONS, backend: 'webgl' } }, job().context)).rejects.toMatchObject({
      code: 'backend-lost',
      message: 'The compute page training on webgl went away (the window was closed); the run stopped there.',
    });
    expect(await readJsonFile(runPaths(projectPaths(dir).run('lost')).summary)).toMatchObject({ status: 'failed', error: { code: 'backend-lost' } });
    expect(hosts.canHost()).toBe(false);
  });

  it("records the page's own failure, and passes a cancel to the page", async () => {
    const dir = await project();
    const hosts = new ComputeHosts();
    const controller = new AbortController();
    const page = scriptedPage(hosts, (message, reply) => {
      if (message.type !== 'start') return;
      if (message.jobId === 'failed') reply({ type: 'failed', jobId: message.jobId, error: { code: 'backend-lost', message: 'The WebGPU device was lost' } });
      else controller.abort();
    });
    await expect(hosts.train('webgpu', { project: dir, runId: 'failed', options: OPTIONS }, job().context)).rejects.toThrow('The WebGPU device was lost');
    expect(await readJsonFile(runPaths(projectPaths(dir).run('failed')).summary)).toMatchObject({ status: 'failed' });

    // The same page takes the next run, and is told of its cancel.
    await expect(hosts.train('webgpu', { project: dir, runId: 'cancelled', options: OPTIONS }, job(controller.signal).context)).rejects.toThrow();
    expect(page.received.at(-1)).toEqual({ type: 'cancel', jobId: 'cancelled' });
    expect(await readJsonFile(runPaths(projectPaths(dir).run('cancelled')).summary)).toMatchObject({ status: 'cancelled' });
  });

  it('ends a cancelled run at once, and keeps a page slow to stop for the next run, dropping only one that never stops', async () => {
    const dir = await project();
    const hosts = new ComputeHosts();
    const done: TrainingOutcome = { status: 'done', train: metrics(1), test: metrics(1) };
    // A page in a long GPU batch: it says it stopped only when the test lets it.
    const page = scriptedPage(hosts, (message, reply) => {
      if (message.type === 'start' && message.jobId === 'next') reply({ type: 'done', jobId: message.jobId, outcome: done });
    });
    const controller = new AbortController();
    const cancelled = hosts.train('webgpu', { project: dir, runId: 'slow', options: OPTIONS }, job(controller.signal).context);
    await vi.waitFor(() => expect(page.received.some((message) => message.type === 'start')).toBe(true));
    controller.abort(new Error('cancelled by the user'));
    await expect(cancelled).rejects.toThrow('cancelled by the user');
    expect(await readJsonFile(runPaths(projectPaths(dir).run('slow')).summary)).toMatchObject({ status: 'cancelled' });
    expect(page.received.at(-1)).toEqual({ type: 'cancel', jobId: 'slow' });

    // The next run waits for the page to stop, then trains there: the page was kept.
    const next = hosts.train('webgpu', { project: dir, runId: 'next', options: OPTIONS }, job().context);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(page.received.some((message) => message.type === 'train' && message.jobId === 'next')).toBe(false);
    page.link.receive(encodeFrame({ type: 'cancelled', jobId: 'slow' }));
    expect((await next).summary.status).toBe('done');
    expect(page.closed).toEqual([]);

    // A page that never says it stopped is dropped after minutes, and with it the wait for it.
    const hung = new ComputeHosts();
    const silent = scriptedPage(hung, () => {});
    const stopping = new AbortController();
    const dropped = hung.train('webgpu', { project: dir, runId: 'hung', options: OPTIONS }, job(stopping.signal).context);
    await vi.waitFor(() => expect(silent.received.some((message) => message.type === 'start')).toBe(true));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      stopping.abort(new Error('cancelled by the user'));
      await expect(dropped).rejects.toThrow('cancelled by the user');
      await vi.advanceTimersByTimeAsync(4 * 60_000);
      expect(silent.closed).toEqual([]);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(silent.closed).toEqual(['it did not stop a cancelled run within 5 minutes']);
    } finally {
      vi.useRealTimers();
    }
  });

  it("tells auto of the GPUs a page reports, and waits only once for a shell's page that never reports", async () => {
    const gpu = { webgpu: { device: 'nvidia ampere', software: false }, webgl: { missing: 'no WebGL 2' } };
    const reporting = new ComputeHosts();
    const link = reporting.connect({ send: () => {}, close: () => {} });
    link.receive(encodeFrame({ type: 'hello', userAgent: 'test', gpu }));
    expect(await reporting.gpuReport()).toEqual(gpu);

    vi.useFakeTimers();
    try {
      let opened = 0;
      const silent = new ComputeHosts();
      silent.setOpener({ hint: 'the shell opens it', open: () => opened++ });
      const first = silent.gpuReport();
      await vi.advanceTimersByTimeAsync(15_000);
      expect(await first).toBeNull();
      expect(await silent.gpuReport()).toBeNull();
      expect(opened).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('tells the window as pages come and go, which then offers webgpu and webgl only while one is open', async () => {
    const workbench = testWorkbench(await tempDir());
    const events: WorkbenchEvent[] = [];
    workbench.onEvent((event) => events.push(event));
    const available = async () => (await workbench.appInfo()).backends.filter((backend) => backend.available && backend.usesGpu).map((backend) => backend.name);
    expect(await available()).toEqual([]);
    const link = workbench.computeHosts.connect({ send: () => {}, close: () => {} });
    expect(events).toEqual([{ type: 'compute-pages', pages: 1 }]);
    expect(await available()).toEqual(['webgpu', 'webgl']);
    link.closed('closed');
    expect(events.at(-1)).toEqual({ type: 'compute-pages', pages: 0 });
    expect(await available()).toEqual([]);
  });

  it('says how to open a page when none is open, and waits for one the shell opens', async () => {
    const dir = await project();
    const hosts = new ComputeHosts();
    hosts.setOpener({ hint: 'open the compute page' });
    expect(hosts.canHost()).toBe(false);
    await expect(hosts.train('webgpu', { project: dir, runId: 'none', options: OPTIONS }, job().context)).rejects.toMatchObject({
      code: 'backend-unavailable',
      message: "The webgpu backend runs in Maskbench's compute page, and none is open: open the compute page.",
    });

    const opened = new ComputeHosts();
    opened.setOpener({
      hint: 'the shell opens it',
      open: () =>
        setTimeout(
          () =>
            scriptedPage(opened, (message, reply) => {
              if (message.type === 'start') reply({ type: 'done', jobId: message.jobId, outcome: { status: 'done', train: metrics(1), test: metrics(1) } });
            }),
          10,
        ),
    });
    expect(opened.canHost()).toBe(true);
    expect((await opened.train('webgpu', { project: dir, runId: 'opened', options: OPTIONS }, job().context)).summary.status).toBe('done');
  });
});

describe("a run's model on a compute page", () => {
  /** A run folder's model as writeModelFiles leaves it: the page is scripted, so the weights are any bytes. */
  async function savedModel() {
    const folder = join(await tempDir(), 'model');
    await writeModelFiles(folder, {
      modelJson: { format: 'layers-model', modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'], weights: [] }] },
      weights: Uint8Array.from([4, 2]),
    });
    return { folder, size: 8, classes: 3, runId: 'run-1' };
  }

  /** A page that loads any model on `device` and answers each crop with fixed probabilities. */
  const answering = (hosts: ComputeHosts, device = 'test adapter') =>
    scriptedPage(hosts, (message, reply) => {
      if (message.type === 'load') reply({ type: 'loaded', jobId: message.jobId, backend: message.backend, device });
      if (message.type === 'classify')
        reply({
          type: 'probabilities',
          jobId: message.jobId,
          request: message.request,
          probabilities: Array.from({ length: message.count }, () => [0.2, 0.7, 0.1]),
        });
      if (message.type === 'explain')
        reply({
          type: 'explained',
          jobId: message.jobId,
          request: message.request,
          probabilities: [0.2, 0.7, 0.1],
          predicted: 1,
          map: { layer: 'conv', rows: 1, cols: 2, values: [0, 1] },
        });
    });

  it("sends the run's model files, then answers each batch and crop by its request, and unloads it when done", async () => {
    const hosts = new ComputeHosts();
    const page = answering(hosts);
    const wanted = await savedModel();
    const classifier = await hosts.classifierOn('webgpu', 'webgpu')(wanted);
    expect(classifier.backend).toBe('webgpu on test adapter');
    const [load] = page.received;
    expect(load).toMatchObject({ type: 'load', backend: 'webgpu', allowSoftware: true, size: 8, classes: 3, runId: 'run-1' });
    expect(load?.type === 'load' && [...load.files.weights]).toEqual([4, 2]);

    const [batch, crop] = await Promise.all([classifier.classify(new Uint8Array(2 * 8 * 8 * 3), 2), classifier.explain(new Uint8Array(8 * 8 * 3))]);
    expect(batch).toEqual([
      [0.2, 0.7, 0.1],
      [0.2, 0.7, 0.1],
    ]);
    expect(crop).toEqual({ probabilities: [0.2, 0.7, 0.1], predicted: 1, map: { layer: 'conv', rows: 1, cols: 2, values: [0, 1] } });
    classifier.dispose();
    expect(page.received.at(-1)).toEqual({ type: 'unload', jobId: load?.type === 'load' ? load.jobId : '' });
    await expect(classifier.classify(new Uint8Array(8 * 8 * 3), 1)).rejects.toThrow(/no longer loaded/);

    // `auto` sent it here for a real GPU: the page must not settle for a software adapter.
    await hosts.classifierOn('webgpu', 'auto')(wanted);
    expect(page.received.at(-1)).toMatchObject({ type: 'load', allowSoftware: false });
  });

  it("fails a load or a request with the page's reason, and every request when the page goes away", async () => {
    const hosts = new ComputeHosts();
    const page = scriptedPage(hosts, (message, reply) => {
      if (message.type === 'load' && message.runId === 'refused')
        reply({ type: 'failed', jobId: message.jobId, error: { code: 'invalid-request', message: "Run refused's model predicts 2 classes" } });
      else if (message.type === 'load') reply({ type: 'loaded', jobId: message.jobId, backend: message.backend, device: 'gpu' });
      if (message.type === 'classify' && message.count === 1)
        reply({ type: 'failed', jobId: message.jobId, request: message.request, error: { code: 'internal', message: 'out of GPU memory' } });
    });
    const wanted = await savedModel();
    await expect(hosts.classifierOn('webgl', 'webgl')({ ...wanted, runId: 'refused' })).rejects.toThrow("Run refused's model predicts 2 classes");

    const classifier = await hosts.classifierOn('webgl', 'webgl')(wanted);
    await expect(classifier.classify(new Uint8Array(8 * 8 * 3), 1)).rejects.toThrow('out of GPU memory');
    // The page does not answer batches of two: the request waits until the page goes.
    const waiting = classifier.classify(new Uint8Array(2 * 8 * 8 * 3), 2);
    page.link.closed('the window was closed');
    await expect(waiting).rejects.toMatchObject({
      code: 'backend-lost',
      message: 'The compute page running the model on webgl went away (the window was closed).',
    });
  });

  it('gives up the wait when the job is cancelled, and lets a training wait for a busy page instead of failing', async () => {
    const dir = await project();
    const hosts = new ComputeHosts();
    const wanted = await savedModel();
    const page = scriptedPage(hosts, (message, reply) => {
      if (message.type === 'load' && message.runId === 'loaded') reply({ type: 'loaded', jobId: message.jobId, backend: message.backend, device: 'gpu' });
      if (message.type === 'start') reply({ type: 'done', jobId: message.jobId, outcome: { status: 'done', train: metrics(1), test: metrics(1) } });
    });
    const controller = new AbortController();
    const loading = hosts.classifierOn('webgpu', 'webgpu')(wanted, controller.signal);
    await vi.waitFor(() => expect(page.received.some((message) => message.type === 'load')).toBe(true));
    controller.abort(new Error('cancelled by the user'));
    await expect(loading).rejects.toThrow('cancelled by the user');
    expect(page.received.at(-1)).toMatchObject({ type: 'unload' });

    const classifier = await hosts.classifierOn('webgpu', 'webgpu')({ ...wanted, runId: 'loaded' });
    const training = hosts.train('webgpu', { project: dir, runId: 'after', options: OPTIONS }, job().context);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(page.received.some((message) => message.type === 'train')).toBe(false);
    classifier.dispose();
    expect((await training).summary.status).toBe('done');
  });

  it('fails a training that waits for a busy page when that page goes away', async () => {
    const dir = await project();
    const hosts = new ComputeHosts();
    const page = scriptedPage(hosts, (message, reply) => {
      if (message.type === 'load') reply({ type: 'loaded', jobId: message.jobId, backend: message.backend, device: 'gpu' });
    });
    await hosts.classifierOn('webgpu', 'webgpu')(await savedModel());
    const training = hosts.train('webgpu', { project: dir, runId: 'waiting', options: OPTIONS }, job().context);
    await new Promise((resolve) => setTimeout(resolve, 20));
    page.link.closed('the window was closed');
    await expect(training).rejects.toMatchObject({ code: 'backend-unavailable', message: expect.stringContaining('none is open') });
    expect(page.received.some((message) => message.type === 'train')).toBe(false);
  });
});
