// The compute pages connected to core (src/compute), and the work sent to them: training runs, and saved
// models that judge crops (predictions, cross-fits, heat maps). Core keeps the job: its queue, cancel,
// run folder and events are those of a worker's; the page only computes and reports, and whatever ends
// it (a closed page, a lost GPU) fails that job alone, with the reason.

import {
  decodeFrame,
  encodeFrame,
  type FromHost,
  type GpuReport,
  type HostModelJob,
  type HostTrainJob,
  type ToHost,
  type TrainingOutcome,
} from '../../shared/compute';
import { SPLITS } from '../../shared/dataset';
import { WorkbenchError } from '../../shared/errors';
import type { BackendChoice, RunResult } from '../../shared/runs';
import type { HostBackendName } from '../../shared/training';
import type { JobContext } from '../jobs/job-runner';
import type { Classifier, CropExplanation, OpenClassifier } from '../review/classify';
import { readModelFiles } from '../training/model-files';
import { Emitter } from '../util/event-emitter';
import { RunRecorder, type RunInput } from '../training/run-recorder';
import type { TrainingData } from '../training/training-data';

/** A page's side of the link, as its transport (a WebSocket, Electron IPC) offers it. */
export interface HostChannel {
  send(frame: Uint8Array): void;
  close(reason: string): void;
}

/** How core comes by a compute page: the Electron shell opens its hidden window; in browser mode, a person opens it. */
export interface HostOpener {
  open?: () => void;
  /** What to do when none is open, for the error that says so. */
  hint: string;
}

/** What the transport tells core of a connected page. */
export interface HostLink {
  receive(frame: Uint8Array): void;
  closed(reason: string): void;
}

/** Bytes of pixels per message: a few megabytes keeps each frame quick to pass and the page's memory flat. */
const PIXEL_BYTES_PER_MESSAGE = 4 * 1024 * 1024;
/** How long to wait for a page the shell opened to connect. */
const OPEN_WAIT_MS = 30_000;
/** How long `auto` waits to learn the GPUs of a page the shell opened: past it, the run trains on the CPU. */
const REPORT_WAIT_MS = 15_000;
/**
 * How long a cancelled run's page has to say it stopped before core drops it as hung. The page stops
 * between GPU batches, and one batch on a software adapter takes half a minute or more.
 */
const STOP_WAIT_MS = 5 * 60_000;

export class ComputeHosts {
  private readonly hosts = new Set<ConnectedHost>();
  /** A page connected, said hello, or ended a job. */
  private readonly changes = new Emitter<void>();
  private opener: HostOpener = { hint: 'no compute page can be opened here' };
  /** Set when a page the shell opened did not report in time: later runs do not wait for it again. */
  private reportMissed = false;
  private models = 0;

  setOpener(opener: HostOpener): void {
    this.opener = opener;
  }

  /** The error for work on `backend` while no page is open, saying what to do. */
  unavailable(backend: HostBackendName): WorkbenchError {
    return new WorkbenchError('backend-unavailable', `The ${backend} backend runs in Maskbench's compute page, and none is open: ${this.opener.hint}.`, {
      field: 'backend',
    });
  }

  /** Calls `listener` with the number of pages open whenever a page connects, reports its GPU, ends a job or goes away. */
  onChange(listener: (pages: number) => void): () => void {
    return this.changes.subscribe(() => listener(this.hosts.size));
  }

  /** Whether work on webgpu or webgl can start: a page is open, or the shell can open one. */
  canHost(): boolean {
    return this.hosts.size > 0 || this.opener.open !== undefined;
  }

  connect(channel: HostChannel): HostLink {
    const host = new ConnectedHost(channel, () => this.changes.emit());
    this.hosts.add(host);
    this.changes.emit();
    return {
      receive: (frame) => host.receive(frame),
      closed: (reason) => {
        this.hosts.delete(host);
        host.closed(reason);
        this.changes.emit();
      },
    };
  }

  /**
   * The GPUs a compute page found, or null when none is open nor can be opened. The shell's page is
   * opened for it, so that `auto` knows of a GPU before the first run.
   */
  async gpuReport(): Promise<GpuReport | null> {
    const reported = () => [...this.hosts].find((host) => host.gpu !== null)?.gpu ?? null;
    if (reported() || this.hosts.size > 0 || !this.opener.open || this.reportMissed) return reported();
    this.opener.open();
    return new Promise((resolve) => {
      const stop = this.changes.subscribe(() => {
        if (!reported()) return;
        clearTimeout(timer);
        stop();
        resolve(reported());
      });
      const timer = setTimeout(() => {
        stop();
        this.reportMissed = true;
        resolve(null);
      }, REPORT_WAIT_MS);
    });
  }

  /** Trains a run on a compute page, recording it as a worker's run is recorded. */
  async train(backend: HostBackendName, input: RunInput, context: JobContext): Promise<RunResult> {
    const run = await RunRecorder.start(input, context);
    return run.record(async () => {
      // A page with nothing to do: a training has the GPU to itself.
      const host = await this.host(backend, context.signal, (hosts) => hosts.find((candidate) => !candidate.busy));
      const { data, weights } = await run.loadData();
      context.signal.throwIfAborted();
      return host.train(jobOf(backend, input, data, weights), data, run, context.signal);
    });
  }

  /**
   * Opens runs' models on a compute page's `backend`, `requested` being what the user asked for: a
   * software adapter only when it was that backend by name.
   */
  classifierOn(backend: HostBackendName, requested: BackendChoice): OpenClassifier {
    return async (wanted, signal = new AbortController().signal) => {
      const files = await readModelFiles(wanted.folder);
      // Beside a training if need be: one crop's heat map should not wait for a run to end.
      const host = await this.host(backend, signal, (hosts) => hosts.find((candidate) => !candidate.busy) ?? hosts[0]);
      const { folder: _folder, ...model } = wanted;
      return host.load({ jobId: `model-${++this.models}`, backend, allowSoftware: requested === backend, files, ...model }, signal);
    };
  }

  /** A page `pick` takes, waiting while those open are busy, and opening the shell's when none is. */
  private host(backend: HostBackendName, signal: AbortSignal, pick: (hosts: ConnectedHost[]) => ConnectedHost | undefined): Promise<ConnectedHost> {
    const picked = () => pick([...this.hosts]);
    const found = picked();
    if (found) return Promise.resolve(found);
    const unavailable = () => this.unavailable(backend);
    const { open } = this.opener;
    const opening = this.hosts.size === 0;
    if (opening) {
      if (!open) return Promise.reject(unavailable());
      open();
    }
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        stop();
        signal.removeEventListener('abort', aborted);
      };
      const stop = this.changes.subscribe(() => {
        const host = picked();
        if (host) {
          done();
          resolve(host);
        } else if (!opening && this.hosts.size === 0) {
          // The busy pages went away while this waited for one of them.
          done();
          reject(unavailable());
        }
      });
      // Only a page being opened has a time limit: a busy one is waited for, as a worker's queue is.
      const timer = opening
        ? setTimeout(() => {
            done();
            reject(unavailable());
          }, OPEN_WAIT_MS)
        : undefined;
      const aborted = () => {
        done();
        reject(signal.reason);
      };
      signal.addEventListener('abort', aborted, { once: true });
    });
  }
}

function jobOf(backend: HostBackendName, input: RunInput, data: TrainingData, classWeights: Float32Array | null): HostTrainJob {
  return {
    jobId: input.runId,
    backend,
    options: input.options,
    labels: data.labels,
    size: data.size,
    classWeights,
    splits: Object.fromEntries(
      SPLITS.map((split) => {
        const { count, classes, files } = data.splits[split];
        return [split, { count, classes, files }];
      }),
    ) as HostTrainJob['splits'],
  };
}

/** Work on a page: handles the page's messages for it, and ends when the page goes away. */
interface HostJob {
  receive(message: FromHost): Promise<void> | void;
  /** Handling a message failed (writing the run folder, say). */
  fail(error: unknown): void;
  /** The page went away, for `reason`. */
  lost(reason: string): void;
}

class ConnectedHost {
  private readonly jobs = new Map<string, HostJob>();
  /** What the page found, once it has said hello. */
  gpu: GpuReport | null = null;
  /** The page's messages are handled in turn, so the run folder is written in the order they were sent. */
  private handling: Promise<void> = Promise.resolve();

  constructor(
    private readonly channel: HostChannel,
    private readonly changed: () => void,
  ) {}

  get busy(): boolean {
    return this.jobs.size > 0;
  }

  train(job: HostTrainJob, data: TrainingData, run: RunRecorder, signal: AbortSignal): Promise<TrainingOutcome> {
    return new Promise<TrainingOutcome>((resolve, reject) => {
      const end = this.start(job.jobId, {
        receive: (message) => {
          if (message.type === 'done') return finished(() => resolve(message.outcome));
          if (message.type === 'failed') return finished(() => reject(WorkbenchError.fromData(message.error)));
          if (message.type === 'cancelled') return finished(() => reject(new Error('The run was cancelled')));
          return record(run, message);
        },
        fail: (error) => settle(() => reject(error)),
        lost: (reason) => {
          const backend = run.backendName ?? 'the GPU';
          settle(() =>
            reject(
              new WorkbenchError('backend-lost', `The compute page training on ${backend} went away (${reason}); the run stopped there.`, { field: 'backend' }),
            ),
          );
        },
      });
      let stopping: (() => void) | undefined;
      const settle = (then: () => void) => {
        signal.removeEventListener('abort', cancel);
        end();
        then();
      };
      // The page's last word on the run, even when it crossed a cancel on the way.
      const finished = (then: () => void) => {
        stopping?.();
        settle(then);
      };
      // The run ends cancelled at once (after what the page sent before, so the run folder holds it),
      // while the page, which cannot cut a GPU batch short, stays busy until it says it stopped.
      const cancel = () => {
        this.send({ type: 'cancel', jobId: job.jobId });
        stopping = this.awaitStop(job.jobId);
        void this.handling.then(() => settle(() => reject(signal.reason)));
      };
      signal.addEventListener('abort', cancel, { once: true });
      this.send({ type: 'train', ...job });
      const bytesPerCrop = job.size * job.size * 3;
      const cropsPerMessage = Math.max(1, Math.floor(PIXEL_BYTES_PER_MESSAGE / bytesPerCrop));
      for (const split of SPLITS) {
        const { pixels, count } = data.splits[split];
        for (let offset = 0; offset < count; offset += cropsPerMessage) {
          const end = Math.min(count, offset + cropsPerMessage);
          this.send({ type: 'pixels', jobId: job.jobId, split, offset, pixels: pixels.subarray(offset * bytesPerCrop, end * bytesPerCrop) });
        }
      }
      this.send({ type: 'start', jobId: job.jobId });
    });
  }

  /** A model loaded on the page, answering classify and explain requests until disposed. */
  load(job: HostModelJob, signal: AbortSignal): Promise<Classifier> {
    const { jobId, backend } = job;
    type Waiting = { resolve(reply: FromHost): void; reject(error: unknown): void };
    /** The load, then each request by its number. */
    const waiting = new Map<number, Waiting>();
    let requests = 0;
    const ask = (message: ToHost & { request: number }): Promise<FromHost> =>
      new Promise((resolve, reject) => {
        if (!this.jobs.has(jobId)) return reject(new WorkbenchError('backend-lost', `The model on ${backend} is no longer loaded`, { field: 'backend' }));
        waiting.set(message.request, { resolve, reject });
        this.send(message);
      });
    const fail = (error: unknown) => {
      end();
      signal.removeEventListener('abort', aborted);
      for (const request of waiting.values()) request.reject(error);
      waiting.clear();
    };
    const aborted = () => {
      fail(signal.reason);
      this.send({ type: 'unload', jobId });
    };
    const end = this.start(jobId, {
      receive: (message) => {
        const request = message.type === 'loaded' ? 0 : 'request' in message ? message.request : undefined;
        const answer = request === undefined ? undefined : waiting.get(request);
        // A failure that is not a request's (a lost device, say) ends the model.
        if (!answer) return message.type === 'failed' ? fail(WorkbenchError.fromData(message.error)) : undefined;
        waiting.delete(request!);
        if (message.type === 'failed') answer.reject(WorkbenchError.fromData(message.error));
        else answer.resolve(message);
      },
      fail,
      lost: (reason) =>
        fail(new WorkbenchError('backend-lost', `The compute page running the model on ${backend} went away (${reason}).`, { field: 'backend' })),
    });
    signal.addEventListener('abort', aborted, { once: true });
    const loading = new Promise<FromHost>((resolve, reject) => waiting.set(0, { resolve, reject }));
    this.send({ type: 'load', ...job });
    return loading.then((reply): Classifier => {
      signal.removeEventListener('abort', aborted);
      return {
        backend: reply.type === 'loaded' ? `${backend} on ${reply.device}` : backend,
        classify: async (pixels, count) => {
          const reply = await ask({ type: 'classify', jobId, request: ++requests, pixels, count });
          return reply.type === 'probabilities' ? reply.probabilities : unexpected(reply);
        },
        explain: async (pixels): Promise<CropExplanation> => {
          const reply = await ask({ type: 'explain', jobId, request: ++requests, pixels });
          return reply.type === 'explained' ? { probabilities: reply.probabilities, predicted: reply.predicted, map: reply.map } : unexpected(reply);
        },
        dispose: () => {
          if (!this.jobs.has(jobId)) return;
          end();
          this.send({ type: 'unload', jobId });
        },
      };
    });
  }

  /**
   * Keeps the page busy with cancelled training `jobId` until it reports the end of it, so that the next
   * run does not queue behind it on the GPU unseen; a page that never does is dropped as hung. Returns
   * how to end the wait.
   */
  private awaitStop(jobId: string): () => void {
    const stopped = () => {
      clearTimeout(timer);
      end();
    };
    // Taking over `jobId` before the run ends, so that the page never looks idle in between.
    const end = this.start(jobId, {
      receive: (message) => {
        if (message.type === 'cancelled' || message.type === 'done' || message.type === 'failed') stopped();
      },
      fail: stopped,
      lost: stopped,
    });
    const timer = setTimeout(() => {
      stopped();
      this.channel.close(`it did not stop a cancelled run within ${STOP_WAIT_MS / 60_000} minutes`);
    }, STOP_WAIT_MS);
    return stopped;
  }

  /** Routes the page's messages for `jobId` to `job` until the returned function is called. */
  private start(jobId: string, job: HostJob): () => void {
    this.jobs.set(jobId, job);
    return () => {
      if (this.jobs.get(jobId) !== job) return;
      this.jobs.delete(jobId);
      this.changed();
    };
  }

  receive(frame: Uint8Array): void {
    let message: FromHost;
    try {
      message = decodeFrame<FromHost>(frame);
    } catch (error) {
      this.channel.close(`it sent a message core cannot read (${(error as Error).message})`);
      return;
    }
    if (message.type === 'hello') {
      this.gpu = message.gpu;
      return this.changed();
    }
    const job = this.jobs.get(message.jobId);
    if (!job) return;
    this.handling = this.handling.then(() => job.receive(message)).catch((error: unknown) => job.fail(error));
  }

  closed(reason: string): void {
    // After what the page sent before it went, so a run folder holds all it learnt.
    void this.handling.then(() => {
      for (const job of [...this.jobs.values()]) job.lost(reason);
    });
  }

  private send(message: ToHost): void {
    this.channel.send(encodeFrame(message));
  }
}

function unexpected(reply: FromHost): never {
  throw new Error(`The compute page answered with an unexpected ${reply.type} message`);
}

/** What a training page reports, into the run folder. */
function record(run: RunRecorder, message: FromHost): Promise<void> | void {
  switch (message.type) {
    case 'backend':
      return run.setBackend(message.backend);
    case 'batch':
      return run.batch(message.metrics);
    case 'progress':
      return run.progress(message.done, message.total, message.message);
    case 'log':
      return run.log(message.message);
    case 'epoch':
      return run.epoch(message.metrics, message.confusion, message.predictions);
    case 'model':
      return run.model(message.which, message.files);
    case 'test':
      return run.test(message.epoch, message.confusion, message.predictions);
  }
}
