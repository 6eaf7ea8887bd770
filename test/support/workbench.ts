import { Workbench, type HostServices } from '../../src/core/workbench';
import { ROOT } from './built-app';

/** The built worker entry: jobs that run in a worker need `npm run build` first (`npm test` does it). */
export const WORKER_SCRIPT = `${ROOT}/out/main/worker.js`;

export function testWorkbench(dataDir: string, host: HostServices = { kind: 'browser' }): Workbench {
  return new Workbench({ dataDir, host, workerScript: WORKER_SCRIPT });
}
