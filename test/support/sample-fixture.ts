// Vitest global set-up: one small sample project per test run, made by the real generator, shared by
// every test that needs a project with media and annotations. Nothing large is committed.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { generateSample } from '../../src/core/sample/generate-sample';
import { SAMPLE_DEFAULTS, type SampleOptions } from '../../src/core/sample/sample-options';

export const FIXTURE_OPTIONS: SampleOptions = { ...SAMPLE_DEFAULTS, frames: 160, width: 640, height: 360, labelNoise: 0.05, framesDir: true };

declare module 'vitest' {
  export interface ProvidedContext {
    sampleProject: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'maskbench-fixture-'));
  const path = join(root, 'sample');
  await generateSample(path, FIXTURE_OPTIONS, { signal: new AbortController().signal, progress: () => {}, log: () => {} });
  project.provide('sampleProject', path);
  return () => rm(root, { recursive: true, force: true });
}
