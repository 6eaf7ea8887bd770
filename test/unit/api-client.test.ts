import { describe, expect, it } from 'vitest';
import { apiMethods, type ApiMethod, type WorkbenchEvent } from '../../src/shared/api';
import { createApiClient } from '../../src/shared/api-client';
import { WorkbenchError } from '../../src/shared/errors';
import { Workbench, hostOnlyMethods } from '../../src/core/workbench';
import { useTempDirs } from '../support/temp-dir';
import { testWorkbench } from '../support/workbench';

describe('createApiClient', () => {
  const tempDir = useTempDirs();

  it('has exactly the methods of the core, one per contract entry', async () => {
    const client = createApiClient({ call: async () => ({ ok: true, value: null }), subscribe: () => () => {} });
    const core = testWorkbench(await tempDir());
    // The API methods are made per instance from the declarations; the host's own are on the class.
    const coreMethods = [...Object.keys(core), ...Object.getOwnPropertyNames(Workbench.prototype)].filter(
      (name) => name !== 'constructor' && typeof (core as unknown as Record<string, unknown>)[name] === 'function',
    );
    expect(new Set(Object.keys(client))).toEqual(new Set([...apiMethods, 'onEvent']));
    // Anything else public on the core is for the host process, and listed as such.
    expect(new Set(coreMethods)).toEqual(new Set([...apiMethods, 'onEvent', ...hostOnlyMethods]));
  });

  it('sends each call with its method name, and {} for no request', async () => {
    const calls: [ApiMethod, object][] = [];
    const client = createApiClient({
      call: async (method, request) => (calls.push([method, request]), { ok: true, value: 'answer' }),
      subscribe: () => () => {},
    });
    await expect(client.appInfo()).resolves.toBe('answer');
    await client.openProject({ path: '/p' });
    expect(calls).toEqual([
      ['appInfo', {}],
      ['openProject', { path: '/p' }],
    ]);
  });

  it('throws error results as WorkbenchError with their code and location', async () => {
    const client = createApiClient({
      call: async () => ({ ok: false, error: { code: 'not-found', message: 'No folder', where: { file: '/p' } } }),
      subscribe: () => () => {},
    });
    const error = await client.openProject({ path: '/p' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkbenchError);
    expect(error).toMatchObject({ code: 'not-found', message: 'No folder', where: { file: '/p' } });
  });

  it('passes events through and stops them on unsubscribe', () => {
    let deliver: (event: WorkbenchEvent) => void = () => {};
    const client = createApiClient({
      call: async () => ({ ok: true, value: null }),
      subscribe: (listener) => {
        deliver = listener;
        return () => (deliver = () => {});
      },
    });
    const seen: WorkbenchEvent[] = [];
    const stop = client.onEvent((event) => seen.push(event));
    deliver({ type: 'job-cancelled', jobId: 'a' });
    stop();
    deliver({ type: 'job-cancelled', jobId: 'b' });
    expect(seen).toEqual([{ type: 'job-cancelled', jobId: 'a' }]);
  });
});
