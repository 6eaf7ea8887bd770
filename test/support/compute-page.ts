// The built compute page (out/renderer/compute.html) alone in headless Chromium with WebGPU (SwiftShader
// where there is no GPU), served from 127.0.0.1, as WebGPU needs a secure origin: for tests and benches
// that call its trainSteps directly.

import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { serveStatic } from '../../src/server/static-files';
import { ROOT, assertBuilt } from './built-app';
import { findChromium } from './chromium';

/** Flags the Chromium tests use elsewhere (support/chromium.ts), bar --disable-gpu, plus WebGPU. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface OpenComputePage {
  page: Page;
  close(): Promise<void>;
}

export async function openComputePage(): Promise<OpenComputePage> {
  assertBuilt();
  const renderer = join(ROOT, 'out/renderer');
  if (!existsSync(join(renderer, 'compute.html'))) throw new Error('out/renderer/compute.html is missing: run `npm run build` first.');
  const server = createServer(async (request, response) => {
    const file = await serveStatic(renderer, new URL(request.url ?? '/', 'http://127.0.0.1').pathname, request.method ?? 'GET');
    response.writeHead(file.status, file.headers);
    if (file.body) file.body.pipe(response);
    else response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = async () => {
    await browser?.close();
    await new Promise((resolve) => server.close(resolve));
  };
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    browser = await chromium.launch({ executablePath: findChromium(), headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/compute.html`);
    // As a string: this file is also compiled without the DOM's types.
    await page.waitForFunction('window.maskbenchCompute !== undefined');
    return { page, close };
  } catch (error) {
    await close();
    throw error;
  }
}
