import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import { BIN, assertBuilt, serve, type ServeProcess } from './built-app';
import { launchChromium } from './chromium';

export interface ServedInBrowser {
  server: ServeProcess;
  browser: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export interface SampleInBrowser extends ServedInBrowser {
  folder: string;
  /** The sample project's folder. */
  project: string;
}

/** A folder of its own holding a small sample project made by the CLI (removed by the caller). */
export async function makeSample(frames: number, width: number, height: number, ...extra: string[]): Promise<{ folder: string; project: string }> {
  assertBuilt();
  const folder = await mkdtemp(join(tmpdir(), 'maskbench-browser-'));
  const project = join(folder, 'walkway');
  await promisify(execFile)(process.execPath, [
    BIN,
    'sample',
    project,
    '--frames',
    String(frames),
    '--width',
    String(width),
    '--height',
    String(height),
    ...extra,
  ]);
  return { folder, project };
}

/** A sample project (as makeSample) with a dataset "heads" of its head crops at 32 px, every frame. */
export async function makeSampleWithHeads(frames: number, width: number, height: number): Promise<{ folder: string; project: string }> {
  const sample = await makeSample(frames, width, height);
  const args = ['dataset', '--project', sample.project, '--name', 'heads', '--stride', '1', '--gap', '2', '--crop', 'head', '--size', '32'];
  await promisify(execFile)(process.execPath, [BIN, ...args]);
  return sample;
}

/** `project` served in browser mode (its data folder inside `folder`) and open in Chromium (with WebGPU when `gpu`). */
export async function serveInBrowser(project: string, folder: string, { gpu = false } = {}): Promise<ServedInBrowser> {
  const server = await serve(['--project', project], join(folder, 'data'));
  // Without a browser (none installed, say) the caller gets nothing to close: the server must not outlive the test.
  const browser = await launchChromium({ gpu }).catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  const close = async () => {
    await browser.close();
    await server.stop();
  };
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    return { server, browser, page, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A small sample project, served and open in Chromium's annotator; `close` removes it all. */
export async function openSampleInBrowser(frames: number, width: number, height: number): Promise<SampleInBrowser> {
  const { folder, project } = await makeSample(frames, width, height);
  const served = await serveInBrowser(project, folder);
  await served.page.locator('[data-test=annotator]').waitFor();
  return {
    ...served,
    folder,
    project,
    close: async () => {
      await served.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
