// What the browser-mode bridge costs per call, next to calling the core directly. Electron IPC is not
// measurable here (no Electron binary); it is a structured-clone hop of the same size.

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import WebSocket from 'ws';
import type { BridgeMessage } from '../src/shared/bridge-protocol';
import { dispatch } from '../src/core/dispatch';
import type { Workbench } from '../src/core/workbench';
import { startServer, type RunningServer } from '../src/server/server';
import { testWorkbench } from '../test/support/workbench';

let workbench: Workbench;
let server: RunningServer;
let socket: WebSocket;
let nextId = 1;
const pending = new Map<number, () => void>();

beforeAll(async () => {
  const rendererDir = await mkdtemp(join(tmpdir(), 'maskbench-bench-'));
  await writeFile(join(rendererDir, 'index.html'), '');
  workbench = testWorkbench(rendererDir);
  await workbench.openProject({ path: rendererDir });
  server = await startServer({ workbench, rendererDir, port: 0 });
  const token = new URL(server.url).searchParams.get('token');
  socket = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${token}`);
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as BridgeMessage;
    if (message.type === 'result' && message.id !== null) pending.get(message.id)?.();
  });
  await new Promise((resolve) => socket.once('open', resolve));
});

afterAll(async () => {
  socket.close();
  await server.close();
});

function callOverSocket(method: string): Promise<void> {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, () => (pending.delete(id), resolve()));
    socket.send(JSON.stringify({ id, method, request: {} }));
  });
}

describe('one API call (currentProject)', () => {
  bench('core, direct dispatch', async () => {
    await dispatch(workbench, 'currentProject', {});
  });
  bench('browser mode, WebSocket round trip', async () => {
    await callOverSocket('currentProject');
  });
});
