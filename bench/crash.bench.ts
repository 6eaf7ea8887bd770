// 100 kill -9 of a process saving edits to annotations at the study's size (4,357 frames): every save of
// annotations.json, and each run's first save also copies the file to history/. Prints what the kills
// left: files that are not whole annotations (must be 0), temp files once the project is opened again
// (must be 0), and the most editing time lost that the process had acknowledged (at most 1 s).

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, bench, describe } from 'vitest';
import { annotationsFileText } from '../src/core/project/annotations-file';
import { ANNOTATIONS_FILE } from '../src/core/project/layout';
import { Camera } from '../src/core/sample/camera';
import { createCast } from '../src/core/sample/cast';
import { groundTruth } from '../src/core/sample/ground-truth';
import { Prng } from '../src/core/util/prng';
import { fromBoxes } from '../src/shared/keyframes';
import { buildHarness, crashWhileEditing, type Crash } from '../test/support/edit-until-killed';

const KILLS = 100;
const FRAMES = 4357;
const folder = await mkdtemp(join(tmpdir(), 'maskbench-bench-crash-'));
const project = join(folder, 'project');
await mkdir(project);
const camera = new Camera(1280, 720);
const annotations = annotationsFileText(fromBoxes(groundTruth(camera, createCast(camera, FRAMES, 25, new Prng(1).fork(1)), FRAMES)));
await writeFile(join(project, ANNOTATIONS_FILE), annotations);
const harness = await buildHarness(join(folder, 'harness'));
const crashes: Crash[] = [];

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
  const count = (what: (crash: Crash) => number) => crashes.reduce((sum, crash) => sum + what(crash), 0);
  console.log(
    `\n${crashes.length} kill -9 while saving edits (annotations.json of ${(annotations.length / 1e6).toFixed(1)} MB, a copy to history/ at each run's first save): ` +
      `invalid files ${count((crash) => crash.invalid.length)} (must be 0), ` +
      `temp files after the next open ${count((crash) => crash.tempFilesAfterOpen.length)} (must be 0; ` +
      `${count((crash) => crash.tempFiles.length)} left by kills mid-write, ${count((crash) => crash.tempFiles.filter((file) => file.startsWith('history/')).length)} of them in history/), ` +
      `most acknowledged editing time lost ${(Math.max(...crashes.map((crash) => crash.lostMs)) / 1000).toFixed(2)} s (at most 1 s)`,
  );
});

describe('crash safety of saving edits', () => {
  bench(
    `${KILLS} kill -9 while editing, each followed by an open`,
    async () => {
      for (let run = 1; run <= KILLS; run++) {
        // Spread over the first save (with its history copy, from about 200 ms) and the saves after it.
        const killAfterMs = 100 + ((run * 37) % 100) * 14;
        crashes.push(await crashWhileEditing(harness, project, run, killAfterMs));
      }
    },
    { iterations: 1, warmupIterations: 0, warmupTime: 0, time: 0 },
  );
});
