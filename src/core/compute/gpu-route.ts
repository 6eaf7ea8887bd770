// Where a run asked to train on `auto` goes, fastest first: tfjs-node-gpu (CUDA), WebGPU on a real
// adapter, tfjs-node (native CPU), WebGL on a real GPU, then wasm on every core and cpu. A worker tries
// the tfjs-node backends and wasm itself; the GPUs of the compute page are looked at here, and a
// software one is passed over (it is slower than wasm), with the reason kept for the run.

import type { GpuFound, GpuReport } from '../../shared/compute';
import type { BackendChoice } from '../../shared/runs';
import { isHostBackend, type HostBackendName } from '../../shared/training';
import { BACKENDS, checkInstalled, isResolvable } from '../training/backend-list';
import type { ComputeHosts } from './compute-hosts';

export interface AutoRoute {
  /** The compute page's backend to train on, or null for a worker's own choice. */
  host: HostBackendName | null;
  /** Why each faster route was passed over, as the run records it. */
  passedOver: string[];
}

/**
 * Where work asked for on `backend` goes: the compute page for webgpu and webgl (refused when none can be
 * had), `auto`'s route, or a worker for the rest (refused when its package is not installed).
 */
export async function routeFor(compute: ComputeHosts, backend: BackendChoice): Promise<AutoRoute> {
  if (backend === 'auto') return autoRoute(await compute.gpuReport(), isResolvable);
  if (!isHostBackend(backend)) {
    // Refused before it is queued: a worker could only record a failed run.
    checkInstalled(backend);
    return { host: null, passedOver: [] };
  }
  if (!compute.canHost()) throw compute.unavailable(backend);
  return { host: backend, passedOver: [] };
}

/** `installed` says which tfjs-node packages resolve; `gpu` is what the compute page found (null: no page). */
export function autoRoute(gpu: GpuReport | null, installed: (pkg: string) => boolean): AutoRoute {
  const native = (name: 'tensorflow-gpu' | 'tensorflow') => BACKENDS.find((backend) => backend.name === name)!.package;
  const passedOver: string[] = [];
  if (installed(native('tensorflow-gpu'))) return { host: null, passedOver };
  passedOver.push(`tensorflow-gpu: ${native('tensorflow-gpu')} is not installed`);
  const webgpu = whyNot(gpu, 'webgpu');
  if (webgpu === null) return { host: 'webgpu', passedOver };
  passedOver.push(`webgpu: ${webgpu}`);
  // The worker says itself why tfjs-node-gpu was passed over; only the compute page's routes are noted.
  if (installed(native('tensorflow'))) return { host: null, passedOver: passedOver.slice(1) };
  passedOver.push(`tensorflow: ${native('tensorflow')} is not installed`);
  const webgl = whyNot(gpu, 'webgl');
  if (webgl === null) return { host: 'webgl', passedOver };
  return { host: null, passedOver: [`webgpu: ${webgpu}`, `webgl: ${webgl}`] };
}

/** Why the page's route cannot take an `auto` run, or null when it can. */
function whyNot(gpu: GpuReport | null, name: HostBackendName): string | null {
  if (gpu === null) return 'no compute page is open';
  const found: GpuFound = gpu[name];
  if ('missing' in found) return found.missing;
  return found.software ? `only a software adapter (${found.device}), slower than the CPU backends; ask for ${name} by name to use it` : null;
}
