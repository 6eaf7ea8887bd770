// Chooses the tfjs backend the compute page trains on. WebGPU's adapter is looked at first, so that a
// software adapter is refused unless asked for and the report says which device ran.

/// <reference types="@webgpu/types" />
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import type { AdapterReport, ComputeBackendName } from './protocol';

export interface ChosenBackend {
  name: string;
  adapter: AdapterReport | null;
}

export async function useComputeBackend(name: ComputeBackendName, allowFallbackAdapter = false): Promise<ChosenBackend> {
  const adapter = name === 'webgpu' ? await checkWebGpuAdapter(allowFallbackAdapter) : null;
  if (!(await tf.setBackend(name))) throw new Error(`The ${name} backend could not start in this browser.`);
  await tf.ready();
  return { name: tf.getBackend(), adapter };
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
