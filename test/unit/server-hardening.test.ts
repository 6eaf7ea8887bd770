// No input crashes `maskbench serve`: a bad client may lose its connection, never the server (and the
// jobs it runs). Malformed frames are built by hand and sent over a raw TCP socket after a valid upgrade.

import { writeFile } from 'node:fs/promises';
import { connect as connectTcp, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { BridgeMessage } from '../../src/shared/bridge-protocol';
import { MAX_CONNECTIONS, startServer, type RunningServer } from '../../src/server/server';
import { useTempDirs } from '../support/temp-dir';
import { testWorkbench } from '../support/workbench';

const OPCODE = { text: 0x1, reserved: 0x3, close: 0x8 };

interface FrameOptions {
  opcode: number;
  payload?: Buffer;
  rsv1?: boolean;
  masked?: boolean;
  /** The payload length the header claims, when it is not the payload's. */
  claimedLength?: number;
}

/** One WebSocket frame (RFC 6455 5.2), as a client would send it unless told otherwise. */
function frame({ opcode, payload = Buffer.alloc(0), rsv1 = false, masked = true, claimedLength = payload.length }: FrameOptions): Buffer {
  const first = 0x80 | (rsv1 ? 0x40 : 0) | opcode;
  const maskBit = masked ? 0x80 : 0;
  let header: Buffer;
  if (claimedLength < 126) header = Buffer.from([first, maskBit | claimedLength]);
  else if (claimedLength < 0x10000) header = Buffer.from([first, maskBit | 126, claimedLength >> 8, claimedLength & 0xff]);
  else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(claimedLength), 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  return Buffer.concat([header, mask, Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!))]);
}

function closePayload(code: number): Buffer {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code);
  return payload;
}

const MALFORMED: { name: string; bytes: Buffer; closeCode: number }[] = [
  { name: 'invalid UTF-8 in a text frame', bytes: frame({ opcode: OPCODE.text, payload: Buffer.from([0xc3, 0x28, 0xff]) }), closeCode: 1007 },
  { name: 'RSV1 set with no extension', bytes: frame({ opcode: OPCODE.text, payload: Buffer.from('{}'), rsv1: true }), closeCode: 1002 },
  { name: 'an unmasked client frame', bytes: frame({ opcode: OPCODE.text, payload: Buffer.from('{}'), masked: false }), closeCode: 1002 },
  { name: 'a reserved opcode', bytes: frame({ opcode: OPCODE.reserved, payload: Buffer.from('x') }), closeCode: 1002 },
  { name: 'close code 999', bytes: frame({ opcode: OPCODE.close, payload: closePayload(999) }), closeCode: 1002 },
  { name: 'a header claiming 17 MB', bytes: frame({ opcode: OPCODE.text, claimedLength: 17 * 1024 * 1024 }), closeCode: 1009 },
];

describe('browser-mode server under bad input', () => {
  const tempDir = useTempDirs();
  let server: RunningServer | null = null;
  // In `maskbench serve` an uncaught error ends the process and its jobs; here vitest would catch it, so watch for one.
  const uncaught: unknown[] = [];
  const watch = (error: unknown) => uncaught.push(error);
  beforeAll(() => process.on('uncaughtExceptionMonitor', watch).on('unhandledRejection', watch));
  afterAll(() => process.off('uncaughtExceptionMonitor', watch).off('unhandledRejection', watch));
  afterEach(async () => {
    await server?.close();
    server = null;
    expect(uncaught.splice(0)).toEqual([]);
  });

  async function start() {
    const rendererDir = await tempDir();
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Maskbench</title>');
    server = await startServer({ workbench: testWorkbench(await tempDir()), rendererDir, port: 0 });
    return { port: server.port, token: new URL(server.url).searchParams.get('token')! };
  }

  /** A raw TCP connection, and everything the server sends on it until it closes. */
  function rawConnection(port: number): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<void> }> {
    const socket = connectTcp(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may reset a connection it refuses: that is the client's loss, which is the point.
    socket.on('error', () => socket.destroy());
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve({ socket, received: () => Buffer.concat(chunks), closed }));
      socket.once('error', reject);
    });
  }

  function upgradeRequest(port: number, target: string): string {
    return (
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'
    );
  }

  /** A raw socket upgraded to a WebSocket with the token, ready for hand-built frames; `early` goes in the same write as the upgrade. */
  async function upgraded(port: number, token: string, early: Buffer = Buffer.alloc(0)) {
    const connection = await rawConnection(port);
    connection.socket.write(Buffer.concat([Buffer.from(upgradeRequest(port, `/api?token=${token}`)), early]));
    await expect.poll(() => connection.received().includes('\r\n\r\n')).toBe(true);
    expect(connection.received().toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
    const headerEnd = connection.received().indexOf('\r\n\r\n') + 4;
    /** The close frame's status code, once the server has closed the connection. */
    const closeCode = async () => {
      await connection.closed;
      const frames = connection.received().subarray(headerEnd);
      expect(frames[0]).toBe(0x88);
      return frames.readUInt16BE(2);
    };
    return { ...connection, closeCode };
  }

  /** A well-behaved page's round trip: the server is still there, answering. */
  async function answersAWellBehavedClient(port: number, token: string): Promise<void> {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`);
    const answer = new Promise<BridgeMessage>((resolve, reject) => {
      socket.once('message', (data) => resolve(JSON.parse(data.toString()) as BridgeMessage));
      socket.once('error', reject);
    });
    socket.once('open', () => socket.send(JSON.stringify({ id: 1, method: 'appInfo', request: {} })));
    expect(await answer).toMatchObject({ type: 'result', id: 1, ok: true, value: { host: 'browser' } });
    socket.close();
  }

  it.each(MALFORMED)('closes the connection on $name, and answers the next client', async ({ bytes, closeCode }) => {
    const { port, token } = await start();
    const bad = await upgraded(port, token);
    bad.socket.write(bytes);
    expect(await bad.closeCode()).toBe(closeCode);
    await answersAWellBehavedClient(port, token);
  });

  it('closes the connection on a malformed frame sent with the upgrade request itself', async () => {
    const { port, token } = await start();
    const bad = await upgraded(port, token, MALFORMED[0]!.bytes);
    expect(await bad.closeCode()).toBe(1007);
    await answersAWellBehavedClient(port, token);
  });

  it('closes with 1009 on a valid message over the size limit', async () => {
    const { port, token } = await start();
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`);
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    socket.send(JSON.stringify({ id: 1, method: 'appInfo', request: { padding: 'x'.repeat(2 * 1024 * 1024) } }));
    expect(await closed).toBe(1009);
    await answersAWellBehavedClient(port, token);
  });

  it('answers a deeply nested message as a bad message, not an internal error', async () => {
    const { port, token } = await start();
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`);
    await new Promise((resolve) => socket.once('open', resolve));
    const answer = new Promise<BridgeMessage>((resolve) => socket.once('message', (data) => resolve(JSON.parse(data.toString()) as BridgeMessage)));
    const depth = 100_000;
    socket.send(`{"id":1,"method":"appInfo","request":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    expect(await answer).toMatchObject({ id: null, ok: false, error: { code: 'bad-message' } });
    socket.close();
  });

  it('survives an upgrade whose target is not a URL, and a malformed HTTP request', async () => {
    const { port, token } = await start();
    const upgrade = await rawConnection(port);
    upgrade.socket.write(upgradeRequest(port, '//'));
    await upgrade.closed;
    expect(upgrade.received().toString('latin1')).toMatch(/^HTTP\/1\.1 401 /);
    const request = await rawConnection(port);
    request.socket.write('GET // HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await expect.poll(() => request.received().toString('latin1')).toMatch(/^HTTP\/1\.1 401 /);
    request.socket.destroy();
    const garbage = await rawConnection(port);
    garbage.socket.write('\x00\x01 not HTTP at all\r\n\r\n');
    await garbage.closed;
    await answersAWellBehavedClient(port, token);
  });

  it('survives a client that resets the connection it is refused on', async () => {
    const { port, token } = await start();
    for (let i = 0; i < 20; i++) {
      const { socket, closed } = await rawConnection(port);
      socket.write(upgradeRequest(port, '/api'));
      setTimeout(() => socket.resetAndDestroy(), i % 4);
      await closed;
    }
    await answersAWellBehavedClient(port, token);
  });

  it('survives a page that goes away before its answer', async () => {
    const { port, token } = await start();
    for (let i = 0; i < 10; i++) {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`);
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ id: 1, method: 'recentProjects', request: {} }));
      socket.terminate();
    }
    await answersAWellBehavedClient(port, token);
  });

  it(`drops connections past ${MAX_CONNECTIONS}, and serves again once they close`, async () => {
    const { port, token } = await start();
    const connections = await Promise.all(Array.from({ length: MAX_CONNECTIONS + 10 }, () => rawConnection(port)));
    let dropped = 0;
    await Promise.all(connections.map(({ closed }) => Promise.race([closed.then(() => dropped++), new Promise((resolve) => setTimeout(resolve, 500))])));
    expect(dropped).toBeGreaterThanOrEqual(10);
    for (const { socket } of connections) socket.destroy();
    // The server counts a connection until it has seen it close.
    await vi.waitFor(() => answersAWellBehavedClient(port, token), { timeout: 5000, interval: 50 });
  });
});
