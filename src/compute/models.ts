// The compute page's loaded models: a run's model, sent by core, judging the crops core sends until core
// unloads it. Each request is answered by its number, or failed with the reason, the backend named.

import type { FromHost, HostModelJob, ToHost } from '../shared/compute';
import { WorkbenchError, toErrorData, type WorkbenchErrorData } from '../shared/errors';
import { modelClassifier, type Classifier } from '../core/review/classify';
import { modelFromFiles } from '../core/training/model-from-files';
import { useComputeBackend } from './backend';
import type { BackendClaims } from './backend-claims';

interface LoadedModel {
  classifier: Classifier;
  /** The GPU it runs on, as a person reads it. */
  device: string;
}

export class LoadedModels {
  private readonly models = new Map<string, Promise<LoadedModel>>();
  private readonly backends = new Map<string, string>();

  constructor(
    private readonly send: (message: FromHost) => void,
    private readonly claims: BackendClaims,
  ) {}

  load(job: HostModelJob): void {
    const loading = Promise.resolve().then(() => {
      this.claims.claim(job.jobId, job.backend);
      return load(job);
    });
    this.models.set(job.jobId, loading);
    this.backends.set(job.jobId, job.backend);
    loading.then(
      ({ device }) => this.send({ type: 'loaded', jobId: job.jobId, backend: job.backend, device }),
      (error: unknown) => {
        this.unload(job.jobId);
        this.send({ type: 'failed', jobId: job.jobId, error: failure(job.backend, 'Loading the model', error) });
      },
    );
  }

  answer(message: Extract<ToHost, { type: 'classify' | 'explain' }>): void {
    const { jobId, request, pixels } = message;
    const loaded = this.models.get(jobId);
    const backend = this.backends.get(jobId) ?? 'the GPU';
    const answer = async (): Promise<FromHost> => {
      const { classifier } = (await loaded) ?? {};
      if (!classifier) throw new WorkbenchError('invalid-request', `The compute page holds no model ${jobId}`);
      if (message.type === 'classify') return { type: 'probabilities', jobId, request, probabilities: await classifier.classify(pixels, message.count) };
      return { type: 'explained', jobId, request, ...(await classifier.explain(pixels)) };
    };
    answer().then(this.send, (error: unknown) => this.send({ type: 'failed', jobId, request, error: failure(backend, 'Judging crops', error) }));
  }

  unload(jobId: string): void {
    const loading = this.models.get(jobId);
    this.models.delete(jobId);
    this.backends.delete(jobId);
    this.claims.release(jobId);
    void loading?.then(({ classifier }) => classifier.dispose()).catch(() => {});
  }

  unloadAll(): void {
    for (const jobId of [...this.models.keys()]) this.unload(jobId);
  }
}

/** A run's model on the job's backend, checked against the run. */
async function load(job: HostModelJob): Promise<LoadedModel> {
  const backend = await useComputeBackend(job.backend, job.allowSoftware).catch((error: Error) => {
    throw new WorkbenchError('backend-unavailable', `The ${job.backend} backend cannot start in this browser: ${error.message}`, { field: 'backend' });
  });
  const model = await modelFromFiles(job.files, `run ${job.runId}'s model.json`);
  return { classifier: modelClassifier(model, job, backend.name), device: backend.device };
}

/** What core is told of a failure: its own words for ours, the backend named for tfjs's (out of memory, say). */
export function failure(backend: string, doing: string, error: unknown): WorkbenchErrorData {
  if (error instanceof WorkbenchError) return error.toData();
  return { ...toErrorData(error), message: `${doing} on ${backend} failed: ${(error as Error).message ?? String(error)}` };
}
