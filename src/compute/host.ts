// The compute page's side of its link to core (shared/compute.ts): takes a training job and its crops,
// trains with core's own trainer on WebGPU or WebGL, and sends back all the trainer makes; or loads a
// run's model and answers core's batches of crops with it. A lost GPU or an error fails the job with
// the reason; the page stays up for the next one.

import { decodeFrame, encodeFrame, type FromHost, type HostTrainJob, type ToHost } from '../shared/compute';
import { SPLITS, type SplitName } from '../shared/dataset';
import { WorkbenchError, toErrorData } from '../shared/errors';
import { Trainer, type TrainerData, type TrainerSink } from '../core/training/trainer';
import { probeGpus, useComputeBackend, watchForLoss } from './backend';
import { BackendClaims } from './backend-claims';
import { LoadedModels, failure } from './models';

/** How the page talks to core: a WebSocket in browser mode, the preload's IPC in Electron. */
export interface HostTransport {
  send(frame: Uint8Array): void;
  onFrame(listener: (frame: Uint8Array) => void): void;
  /** When the link ends (a WebSocket that closes); Electron's lasts as long as its window. */
  onClose?(listener: () => void): void;
}

/** Says what the page is doing, on the page, for whoever looks at its tab. */
export type ShowStatus = (status: string) => void;

interface PendingJob {
  job: HostTrainJob;
  pixels: Record<SplitName, Uint8Array>;
  controller: AbortController;
}

/** Cancelled by core, as opposed to stopped by a lost device. */
const CANCELLED = Symbol('cancelled');

export async function serveHost(transport: HostTransport, show: ShowStatus): Promise<void> {
  const send = (message: FromHost) => transport.send(encodeFrame(message));
  const jobs = new Map<string, PendingJob>();
  const claims = new BackendClaims();
  const models = new LoadedModels(send, claims);
  /** What each training started on this link is doing, by job. */
  const work = new Map<string, string>();
  let closed = false;
  const showWork = () => {
    if (!closed) show(work.size > 0 ? [...work.values()].join('; ') : 'Connected to Maskbench; idle.');
  };
  // A closed link's work can report to no one: it stops, and a new link (main.ts) starts afresh and
  // says what it does from then on.
  transport.onClose?.(() => {
    closed = true;
    for (const { controller } of jobs.values()) controller.abort(CANCELLED);
    models.unloadAll();
  });
  send({ type: 'hello', userAgent: navigator.userAgent, gpu: await probeGpus() });
  showWork();
  transport.onFrame((frame) => {
    const message = decodeFrame<ToHost>(frame);
    switch (message.type) {
      case 'train': {
        const { type: _type, ...job } = message;
        const bytesPerCrop = job.size * job.size * 3;
        const pixels = Object.fromEntries(SPLITS.map((split) => [split, new Uint8Array(job.splits[split].count * bytesPerCrop)])) as PendingJob['pixels'];
        jobs.set(job.jobId, { job, pixels, controller: new AbortController() });
        return;
      }
      case 'pixels': {
        const pending = jobs.get(message.jobId);
        pending?.pixels[message.split].set(message.pixels, message.offset * pending.job.size * pending.job.size * 3);
        return;
      }
      case 'start': {
        const pending = jobs.get(message.jobId);
        if (!pending) return;
        try {
          claims.claim(message.jobId, pending.job.backend);
        } catch (error) {
          jobs.delete(message.jobId);
          return send({ type: 'failed', jobId: message.jobId, error: toErrorData(error) });
        }
        const working = (doing: string) => {
          work.set(message.jobId, doing);
          showWork();
        };
        void train(pending, send, working).finally(() => {
          jobs.delete(message.jobId);
          claims.release(message.jobId);
          work.delete(message.jobId);
          showWork();
        });
        return;
      }
      case 'cancel': {
        const pending = jobs.get(message.jobId);
        if (!pending) return;
        pending.controller.abort(CANCELLED);
        // It stops at the end of the batch the GPU is on.
        if (work.has(message.jobId)) work.set(message.jobId, `Stopping run ${message.jobId}, cancelled, after the current batch`);
        return showWork();
      }
      case 'load': {
        const { type: _type, ...job } = message;
        return models.load(job);
      }
      case 'classify':
      case 'explain':
        return models.answer(message);
      case 'unload':
        return models.unload(message.jobId);
    }
  });
}

async function train({ job, pixels, controller }: PendingJob, send: (message: FromHost) => void, working: ShowStatus): Promise<void> {
  const { jobId } = job;
  let trainer: Trainer | null = null;
  working(`Training run ${jobId}: starting ${job.backend}`);
  try {
    // A software adapter only when asked for by name: `auto` sends runs here for a real GPU.
    const backend = await useComputeBackend(job.backend, job.options.backend === job.backend).catch((error: Error) => {
      throw new WorkbenchError('backend-unavailable', `The ${job.backend} backend cannot start in this browser: ${error.message}`, { field: 'backend' });
    });
    const stopWatching = watchForLoss(job.backend, (reason) => controller.abort(new WorkbenchError('backend-lost', reason, { field: 'backend' })));
    if (!controller.signal.aborted) working(`Training run ${jobId} on ${job.backend} (${backend.device})`);
    send({
      type: 'backend',
      jobId,
      backend: { name: job.backend, requested: job.options.backend, passedOver: [], threads: null, device: backend.device },
    });
    const data: TrainerData = {
      labels: job.labels,
      size: job.size,
      splits: Object.fromEntries(SPLITS.map((split) => [split, { ...job.splits[split], pixels: pixels[split] }])) as TrainerData['splits'],
    };
    trainer = new Trainer(job.options, { signal: controller.signal, pause: nextTask, sink: sinkFor(jobId, send) });
    try {
      send({ type: 'done', jobId, outcome: await trainer.train(data, job.classWeights) });
    } finally {
      stopWatching();
    }
  } catch (error) {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : error;
    if (reason === CANCELLED) send({ type: 'cancelled', jobId });
    else send({ type: 'failed', jobId, error: failure(job.backend, 'Training', reason) });
  } finally {
    trainer?.dispose();
  }
}

function sinkFor(jobId: string, send: (message: FromHost) => void): TrainerSink {
  return {
    batch: (metrics) => send({ type: 'batch', jobId, metrics }),
    epoch: async (metrics, confusion, predictions) => send({ type: 'epoch', jobId, metrics, confusion, predictions }),
    model: async (which, files) => send({ type: 'model', jobId, which, files }),
    test: async (epoch, confusion, predictions) => send({ type: 'test', jobId, epoch, confusion, predictions }),
    progress: (done, total, message) => send({ type: 'progress', jobId, done, total, message }),
    log: (message) => send({ type: 'log', jobId, message }),
  };
}

/** Lets the page's messages in between batches, without setTimeout's clamp of a few milliseconds. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
