// A worker entry that starts a training run as the real one does (config.json, running.json), then dies
// without a word, as a native crash or running out of memory would end it.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workerData } from 'node:worker_threads';

const { input } = workerData;
const folder = join(input.project, 'runs', input.runId);
mkdirSync(folder, { recursive: true });
const config = {
  schema: 1,
  id: input.runId,
  createdAt: new Date().toISOString(),
  options: input.options,
  dataset: null,
  model: null,
  backend: null,
  versions: {},
};
writeFileSync(join(folder, 'config.json'), JSON.stringify(config));
writeFileSync(join(folder, 'running.json'), JSON.stringify({ pid: process.pid }));
process.exit(7);
