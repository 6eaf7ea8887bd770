// Chooses the tfjs backend the compute page trains on. WebGPU's adapter is looked at first, so that a
// software adapter is refused unless asked for and the report says which device ran.

/// <reference types="@webgpu/types" />
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import type { GpuFound, GpuReport } from '../shared/compute';
import type { AdapterReport, ComputeBackendName } from './protocol';

export interface ChosenBackend {
  name: string;
  adapter: AdapterReport | null;
  /** The GPU as a person reads it: "nvidia ampere", "Google SwiftShader (software)". */
  device: string;
}

export async function useComputeBackend(name: ComputeBackendName, allowFallbackAdapter = false): Promise<ChosenBackend> {
  const adapter = name === 'webgpu' ? await checkWebGpuAdapter(allowFallbackAdapter) : null;
  // Set only when it changes: a job may already be at work on it (a heat map beside a training).
  if (tf.engine().backendName !== name && !(await tf.setBackend(name))) throw new Error(`The ${name} backend could not start in this browser.`);
  await tf.ready();
  const device = adapter ? describeDevice(adapter) : name === 'webgl' ? describeWebGl((tf.backend() as GpuBackend).gpgpu?.gl).device : 'the CPU';
  return { name: tf.getBackend(), adapter, device };
}

function describeDevice(adapter: AdapterReport): string {
  return `${[adapter.vendor, adapter.architecture].filter(Boolean).join(' ') || adapter.description || 'an unnamed adapter'}${adapter.isFallbackAdapter ? ' (software)' : ''}`;
}

/** Renderers that draw on the CPU: Chromium's SwiftShader and Mesa's. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software/i;

/** The GPUs this browser offers, without starting a backend: what `auto` chooses from. */
export async function probeGpus(): Promise<GpuReport> {
  return { webgpu: await probeWebGpu(), webgl: probeWebGl() };
}

async function probeWebGpu(): Promise<GpuFound> {
  if (!('gpu' in navigator)) return { missing: 'this browser has no WebGPU' };
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  if (!adapter) return { missing: 'WebGPU offers no adapter here' };
  const report = describeAdapter(adapter);
  return { device: describeDevice(report), software: report.isFallbackAdapter };
}

function probeWebGl(): GpuFound {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return { missing: 'this browser has no WebGL 2' };
  const found = describeWebGl(gl);
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return found;
}

/** tfjs's WebGPU backend's device, and its WebGL backend's context: what a loss is seen on. */
interface GpuBackend {
  device?: GPUDevice;
  gpgpu?: { gl: WebGLRenderingContext };
}

/** WebGL's renderer as a person reads it, marked "(software)" where it draws on the CPU, as WebGPU's adapter is. */
function describeWebGl(gl: WebGLRenderingContext | WebGL2RenderingContext | undefined): { device: string; software: boolean } {
  const renderer = webGlRenderer(gl);
  const software = SOFTWARE_RENDERER.test(renderer);
  return { device: `${renderer}${software ? ' (software)' : ''}`, software };
}

/** The renderer WebGL reports, unmasked where the browser allows it. */
function webGlRenderer(gl: WebGLRenderingContext | WebGL2RenderingContext | undefined): string {
  if (!gl) return 'an unknown GPU';
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

/** Calls `lost` with the reason if the GPU device (WebGPU) or context (WebGL) is lost; returns how to stop watching. */
export function watchForLoss(name: ComputeBackendName, lost: (reason: string) => void): () => void {
  let watching = true;
  const backend = tf.backend() as GpuBackend;
  if (name === 'webgpu' && backend.device) {
    // 'destroyed' is a device ended on purpose (tfjs ends its own); a GPU that fails says 'unknown'.
    void backend.device.lost.then((info) => {
      if (watching && info.reason !== 'destroyed') lost(`The WebGPU device was lost (${info.reason}: ${info.message || 'no message'})`);
    });
  }
  const canvas = name === 'webgl' ? backend.gpgpu?.gl.canvas : undefined;
  const onContextLost = () => lost('The WebGL context was lost (the GPU was reset, or the browser took it back)');
  if (canvas) canvas.addEventListener('webglcontextlost', onContextLost);
  return () => {
    watching = false;
    canvas?.removeEventListener('webglcontextlost', onContextLost);
  };
}

/**
 * The adapter tfjs's own factory will get (it asks with the same options), described. Throws if there is
 * none, or if it is a fallback adapter that was not asked for.
 */
async function checkWebGpuAdapter(allowFallbackAdapter: boolean): Promise<AdapterReport> {
  if (!('gpu' in navigator)) throw new Error('This browser has no WebGPU (navigator.gpu is missing).');
  const powerPreference = tf.env().getBool('WEBGPU_USE_LOW_POWER_GPU') ? 'low-power' : 'high-performance';
  const adapter = await navigator.gpu.requestAdapter({ powerPreference });
  if (!adapter) throw new Error('WebGPU offers no adapter here.');
  const report = describeAdapter(adapter);
  if (report.isFallbackAdapter && !allowFallbackAdapter) {
    throw new Error(`WebGPU offers only a software adapter here (${report.vendor} ${report.architecture}); it is used only when asked for by name.`);
  }
  return report;
}

/** GPUAdapter as Chromium has it now, newer than tfjs-core's @webgpu/types: `info`, and the fallback flag moving onto it. */
interface CurrentAdapter extends GPUAdapter {
  readonly info: GPUAdapterInfo & { readonly isFallbackAdapter?: boolean };
}

function describeAdapter(adapter: GPUAdapter): AdapterReport {
  const { info, isFallbackAdapter } = adapter as CurrentAdapter;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    isFallbackAdapter: info.isFallbackAdapter ?? isFallbackAdapter,
  };
}
