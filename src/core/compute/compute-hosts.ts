// The compute pages connected to core (src/compute), and training runs sent to them. Core keeps the
// job: its queue, cancel, run folder and events are those of a worker's run; the page only trains
// and reports, and whatever ends it (a closed page, a lost GPU) fails that run alone, with the reason.

import { decodeFrame, encodeFrame, type FromHost, type GpuReport, type HostTrainJob, type ToHost, type TrainingOutcome } from '../../shared/compute';
import { SPLITS } from '../../shared/dataset';
import { WorkbenchError } from '../../shared/errors';
import type { RunResult } from '../../shared/runs';
import type { HostBackendName } from '../../shared/training';
import type { JobContext } from '../jobs/job-runner';
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
/** How long a page has to answer a cancel before core gives up on it. */
const CANCEL_WAIT_MS = 10_000;

export class ComputeHosts {
  private readonly hosts = new Set<ConnectedHost>();
  private readonly arrivals = new Emitter<void>();
  private opener: HostOpener = { hint: 'no compute page can be opened here' };
  /** Set when a page the shell opened did not report in time: later runs do not wait for it again. */
  private reportMissed = false;

  setOpener(opener: HostOpener): void {
    this.opener = opener;
  }

  /** The error for a run on `backend` while no page is open, saying what to do. */
  unavailable(backend: HostBackendName): WorkbenchError {
    return new WorkbenchError('backend-unavailable', `The ${backend} backend trains in Maskbench's compute page, and none is open: ${this.opener.hint}.`, {
      field: 'backend',
    });
  }

  /** Whether a run on webgpu or webgl can start: a page is open, or the shell can open one. */
  canHost(): boolean {
    return this.hosts.size > 0 || this.opener.open !== undefined;
  }

  connect(channel: HostChannel): HostLink {
    const host = new ConnectedHost(channel, () => this.arrivals.emit());
    this.hosts.add(host);
    this.arrivals.emit();
    return {
      receive: (frame) => host.receive(frame),
      closed: (reason) => {
        this.hosts.delete(host);
        host.closed(reason);
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
      const stop = this.arrivals.subscribe(() => {
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
      const host = await this.idleHost(backend, context.signal);
      const { data, weights } = await run.loadData();
      context.signal.throwIfAborted();
      return host.train(jobOf(backend, input, data, weights), data, run, context.signal);
    });
  }

  private async idleHost(backend: HostBackendName, signal: AbortSignal): Promise<ConnectedHost> {
    const idle = () => [...this.hosts].find((host) => !host.busy);
    const found = idle();
    if (found) return found;
    const { open } = this.opener;
    const unavailable = () => this.unavailable(backend);
    if (!open || this.hosts.size > 0) throw unavailable();
    open();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        stop();
        signal.removeEventListener('abort', aborted);
      };
      const stop = this.arrivals.subscribe(() => {
        const host = idle();
        if (!host) return;
        done();
        resolve(host);
      });
      const timer = setTimeout(() => {
        done();
        reject(unavailable());
      }, OPEN_WAIT_MS);
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

/** A run on a page: settles when the page says it ended, or when the page goes away. */
interface HostRun {
  jobId: string;
  run: RunRecorder;
  resolve(outcome: TrainingOutcome): void;
  reject(error: unknown): void;
}

class ConnectedHost {
  busy: HostRun | null = null;
  /** What the page found, once it has said hello. */
  gpu: GpuReport | null = null;
  /** The page's messages are handled in turn, so the run folder is written in the order they were sent. */
  private handling: Promise<void> = Promise.resolve();

  constructor(
    private readonly channel: HostChannel,
    private readonly greeted: () => void,
  ) {}

  train(job: HostTrainJob, data: TrainingData, run: RunRecorder, signal: AbortSignal): Promise<TrainingOutcome> {
    return new Promise<TrainingOutcome>((resolve, reject) => {
      let cancelTimer: ReturnType<typeof setTimeout> | undefined;
      const ended = () => {
        clearTimeout(cancelTimer);
        signal.removeEventListener('abort', cancel);
        this.busy = null;
      };
      const cancel = () => {
        this.send({ type: 'cancel', jobId: job.jobId });
        cancelTimer = setTimeout(() => {
          ended();
          this.channel.close('it did not answer a cancel');
          reject(signal.reason);
        }, CANCEL_WAIT_MS);
      };
      this.busy = {
        jobId: job.jobId,
        run,
        resolve: (outcome) => {
          ended();
          resolve(outcome);
        },
        reject: (error) => {
          ended();
          reject(error);
        },
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
      return this.greeted();
    }
    const current = this.busy;
    if (!current || !('jobId' in message) || message.jobId !== current.jobId) return;
    this.handling = this.handling.then(() => handle(current, message)).catch((error: unknown) => current.reject(error));
  }

  closed(reason: string): void {
    const current = this.busy;
    if (!current) return;
    // After what the page sent before it went, so the run folder holds all it learnt.
    void this.handling.then(() => {
      const backend = current.run.backendName ?? 'the GPU';
      current.reject(
        new WorkbenchError('backend-lost', `The compute page training on ${backend} went away (${reason}); the run stopped there.`, { field: 'backend' }),
      );
    });
  }

  private send(message: ToHost): void {
    this.channel.send(encodeFrame(message));
  }
}

async function handle(current: HostRun, message: FromHost): Promise<void> {
  const { run } = current;
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
    case 'done':
      return current.resolve(message.outcome);
    case 'failed':
      return current.reject(WorkbenchError.fromData(message.error));
    case 'cancelled':
      return current.reject(new Error('The run was cancelled'));
  }
}
