// The compute page holds one tfjs backend at a time: jobs on it share the page, a job on another is
// refused with both backends named until the page is free of them.

import { describe, expect, it } from 'vitest';
import { BackendClaims } from '../../src/compute/backend-claims';

describe('the compute page backend claims', () => {
  it('lets jobs on the same backend share the page and refuses another backend until they are done', () => {
    const claims = new BackendClaims();
    claims.claim('train-1', 'webgpu');
    claims.claim('predict-1', 'webgpu');
    expect(() => claims.claim('predict-2', 'webgl')).toThrow(
      expect.objectContaining({ code: 'backend-unavailable', message: 'The compute page is busy on webgpu; work on webgl can start once that is done' }),
    );
    claims.release('train-1');
    expect(() => claims.claim('predict-2', 'webgl')).toThrow(/busy on webgpu/);
    claims.release('predict-1');
    claims.claim('predict-2', 'webgl');
    expect(() => claims.claim('train-2', 'webgpu')).toThrow(/busy on webgl/);
  });
});
