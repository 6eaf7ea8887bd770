// `maskbench serve --root DIR` (repeatable), through the built CLI and the WebSocket a page uses.

import { execFile } from 'node:child_process';
import { mkdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { BridgeMessage } from '../../src/shared/bridge-protocol';
import { BIN, assertBuilt, serve, type ServeProcess } from '../support/built-app';
import { useTempDirs } from '../support/temp-dir';

describe('maskbench serve --root', () => {
  const tempDir = useTempDirs();
  let server: ServeProcess | null = null;
  beforeAll(assertBuilt);
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  /** Calls one API method over the page's WebSocket. */
  async function call(url: string, method: string, request: object): Promise<BridgeMessage> {
    const { port, searchParams } = new URL(url);
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api?token=${searchParams.get('token')}`);
    try {
      await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
      // Events (the project-opened this call causes) arrive too: wait for the call's own result.
      const answer = new Promise<BridgeMessage>((resolve) =>
        socket.on('message', (data) => {
          const message = JSON.parse(data.toString()) as BridgeMessage;
          if (message.type === 'result') resolve(message);
        }),
      );
      socket.send(JSON.stringify({ id: 1, method, request }));
      return await answer;
    } finally {
      socket.close();
    }
  }

  it('opens projects inside any of the roots and refuses the rest', async () => {
    const [first, second, outside] = await Promise.all([tempDir(), tempDir(), tempDir()]).then((dirs) => Promise.all(dirs.map((dir) => realpath(dir))));
    for (const folder of [join(first!, 'a'), join(second!, 'b'), join(outside!, 'c')]) await mkdir(folder);
    server = await serve(['--root', first!, '--root', second!, '--project', join(first!, 'a')], await tempDir());
    expect(await call(server.url, 'openProject', { path: join(second!, 'b') })).toMatchObject({ ok: true, value: { path: join(second!, 'b') } });
    const refused = await call(server.url, 'openProject', { path: join(outside!, 'c') });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden-path', where: { field: 'path' } } });
    expect(refused.type === 'result' && !refused.ok && refused.error.message).toContain(join(outside!, 'c'));
  });

  it('refuses to start with a root that does not exist, exiting 1', async () => {
    const missing = join(await tempDir(), 'nope');
    const failed = await promisify(execFile)(process.execPath, [BIN, 'serve', '--root', missing, '--json'], {
      env: { ...process.env, MASKBENCH_DATA_DIR: await tempDir() },
    }).catch((error: { code: number; stdout: string }) => error);
    expect(failed).toMatchObject({ code: 1 });
    expect(JSON.parse(failed.stdout)).toMatchObject({ error: { code: 'not-found', where: { field: 'root' } } });
  });
});
