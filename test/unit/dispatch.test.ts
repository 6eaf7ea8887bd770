import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/core/dispatch';
import { useTempDirs } from '../support/temp-dir';
import { testWorkbench } from '../support/workbench';

describe('dispatch', () => {
  const tempDir = useTempDirs();
  const workbench = async () => testWorkbench(await tempDir());

  it('answers a known method with its value', async () => {
    const result = await dispatch(await workbench(), 'currentProject', {});
    expect(result).toEqual({ ok: true, value: null });
  });

  it('refuses a method that is not in the contract, including inherited names', async () => {
    for (const method of ['dropTables', 'constructor', 'toString', 42, undefined]) {
      const result = await dispatch(await workbench(), method, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    }
  });

  it('names the field of an invalid request', async () => {
    const api = await workbench();
    expect(await dispatch(api, 'openProject', { path: 7 })).toEqual({
      ok: false,
      error: { code: 'invalid-request', message: 'openProject: "path" must be a non-empty string, got 7', where: { field: 'path' } },
    });
    expect(await dispatch(api, 'startDemoJob', { steps: 0 })).toMatchObject({ ok: false, error: { code: 'invalid-request', where: { field: 'steps' } } });
    expect(await dispatch(api, 'startDemoJob', { setps: 3 })).toMatchObject({ ok: false, error: { code: 'invalid-request', where: { field: 'setps' } } });
    expect(await dispatch(api, 'cancelJob', 'job-1')).toMatchObject({
      ok: false,
      error: { code: 'invalid-request', message: 'cancelJob: the request must be an object, got "job-1"' },
    });
  });

  it('reports an unexpected failure as internal, keeping its message', async () => {
    const api = await workbench();
    api.recentProjects = () => Promise.reject(new TypeError('disk on fire'));
    const result = await dispatch(api, 'recentProjects', {});
    expect(result).toEqual({ ok: false, error: { code: 'internal', message: 'disk on fire' } });
  });
});
