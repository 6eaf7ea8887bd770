// A worker entry that leaves a file in its temporary folder, says where (as a log message), and then
// ends as `input.end` says: 'exit' dies at once, as a crash would; 'hang' runs until it is cancelled.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

const file = join(mkdtempSync(join(tmpdir(), 'scripts-')), 'script.js');
writeFileSync(file, '// what a library wrote for its own threads');
parentPort.postMessage({ type: 'log', message: file });
if (workerData.input.end === 'exit') process.exit(7);
parentPort.on('message', () => process.exit(0));
