// Where `auto` sends a run: tfjs-node-gpu, WebGPU on a real adapter, tfjs-node, WebGL on a real GPU, then
// the worker's CPU backends, with the reason each faster route was passed over.

import { describe, expect, it } from 'vitest';
import type { GpuReport } from '../../src/shared/compute';
import { autoRoute } from '../../src/core/compute/gpu-route';

const REAL: GpuReport = { webgpu: { device: 'nvidia ampere', software: false }, webgl: { device: 'NVIDIA GeForce RTX 3060', software: false } };
const SOFTWARE: GpuReport = {
  webgpu: { device: 'google swiftshader (software)', software: true },
  webgl: { device: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)', software: true },
};
const installed =
  (...packages: string[]) =>
  (pkg: string) =>
    packages.includes(pkg);

describe('the auto route', () => {
  it('leaves the choice to the worker when tfjs-node-gpu is installed', () => {
    expect(autoRoute(REAL, installed('@tensorflow/tfjs-node-gpu'))).toEqual({ host: null, passedOver: [] });
  });

  it('takes WebGPU on a real adapter next, and says why CUDA was passed over', () => {
    expect(autoRoute(REAL, installed('@tensorflow/tfjs-node'))).toEqual({
      host: 'webgpu',
      passedOver: ['tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed'],
    });
  });

  it('takes WebGL on a real GPU when WebGPU has none, after tfjs-node', () => {
    const webglOnly: GpuReport = { ...REAL, webgpu: { missing: 'WebGPU offers no adapter here' } };
    expect(autoRoute(webglOnly, installed('@tensorflow/tfjs-node'))).toEqual({ host: null, passedOver: ['webgpu: WebGPU offers no adapter here'] });
    expect(autoRoute(webglOnly, installed())).toEqual({
      host: 'webgl',
      passedOver: [
        'tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed',
        'webgpu: WebGPU offers no adapter here',
        'tensorflow: @tensorflow/tfjs-node is not installed',
      ],
    });
  });

  it('never takes a software adapter, and leaves the CPU backends to the worker with the reasons', () => {
    const route = autoRoute(SOFTWARE, installed());
    expect(route.host).toBeNull();
    expect(route.passedOver).toEqual([
      expect.stringMatching(/^webgpu: only a software adapter \(google swiftshader \(software\)\), slower than the CPU backends; ask for webgpu by name/),
      expect.stringMatching(/^webgl: only a software adapter \(ANGLE .*SwiftShader/),
    ]);
    expect(autoRoute(null, installed())).toEqual({ host: null, passedOver: ['webgpu: no compute page is open', 'webgl: no compute page is open'] });
  });
});
