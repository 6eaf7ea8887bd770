// Builds a `WorkbenchApi` from a transport's two primitives, so the preload and the WebSocket client
// are generated from `apiMethods` instead of restating every method by hand.

import { apiMethods, type ApiMethod, type CallResult, type WorkbenchApi, type WorkbenchEvent, type Unsubscribe, type WorkbenchMethods } from './api';
import { WorkbenchError } from './errors';

export interface ApiTransport {
  call(method: ApiMethod, request: object): Promise<CallResult>;
  subscribe(listener: (event: WorkbenchEvent) => void): Unsubscribe;
}

export function createApiClient(transport: ApiTransport): WorkbenchApi {
  const methods = Object.fromEntries(
    apiMethods.map((method) => [
      method,
      async (request?: object) => {
        const result = await transport.call(method, request ?? {});
        if (!result.ok) throw WorkbenchError.fromData(result.error);
        return result.value;
      },
    ]),
  ) as unknown as WorkbenchMethods;
  return { ...methods, onEvent: (listener) => transport.subscribe(listener) };
}
