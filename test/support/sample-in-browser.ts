import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import { BIN, assertBuilt, serve, type ServeProcess } from './built-app';
import { launchChromium } from './chromium';

export interface SampleInBrowser {
  folder: string;
  /** The sample project's folder. */
  project: string;
  server: ServeProcess;
  browser: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A small sample project made by the CLI, served in browser mode and open in Chromium's annotator. */
export async function openSampleInBrowser(frames: number, width: number, height: number): Promise<SampleInBrowser> {
  assertBuilt();
  const folder = await mkdtemp(join(tmpdir(), 'maskbench-browser-'));
  const project = join(folder, 'walkway');
  await promisify(execFile)(process.execPath, [BIN, 'sample', project, '--frames', String(frames), '--width', String(width), '--height', String(height)]);
  const server = await serve(['--project', project], join(folder, 'data'));
  const browser = await launchChromium();
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.locator('[data-test=annotator]').waitFor();
  return {
    folder,
    project,
    server,
    browser,
    page,
    close: async () => {
      await browser.close();
      await server.stop();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
