import { isApiMethod, type CallResult, type WorkbenchMethods } from '../shared/api';
import { WorkbenchError, toErrorData } from '../shared/errors';

/**
 * Runs one call that arrived over a transport, whatever its shape: a method name that is not in the
 * contract or a request that is not an object becomes an error result, never an exception.
 */
export async function dispatch(api: WorkbenchMethods, method: unknown, request: unknown): Promise<CallResult> {
  try {
    if (!isApiMethod(method)) {
      throw new WorkbenchError('unknown-method', `There is no API method ${JSON.stringify(method) ?? 'undefined'}`);
    }
    const call = api[method] as (this: WorkbenchMethods, request: unknown) => Promise<unknown>;
    const value = await call.call(api, request ?? {});
    return { ok: true, value: value ?? null };
  } catch (error) {
    const data = toErrorData(error);
    if (data.code === 'internal') console.error(`API call ${String(method)} failed:`, error);
    return { ok: false, error: data };
  }
}
