// `npm run screenshots`: runs the browser tests that show each view, then turns their 1600x1000
// screenshots into the small pictures the README shows (docs/screenshots/), so they stay current.
import { spawnSync } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shots = join(root, 'test-results', 'screenshots', 'views');
const out = join(root, 'docs', 'screenshots');
/** Each README picture: the view's screenshot, and the test that takes it. */
const VIEWS = [
  ['annotator', 'test/e2e/annotator.test.ts'],
  ['dataset', 'test/e2e/dataset-view.test.ts'],
  ['train', 'test/e2e/train-view.test.ts'],
  ['runs-compare', 'test/e2e/runs-view.test.ts'],
  ['review', 'test/e2e/review-view.test.ts'],
];

const tests = spawnSync('npx', ['vitest', 'run', ...new Set(VIEWS.map(([, test]) => test))], { cwd: root, stdio: 'inherit' });
if (tests.status !== 0) {
  console.error('The browser tests failed: the README pictures were not updated.');
  process.exit(tests.status ?? 1);
}
await mkdir(out, { recursive: true });
for (const [name] of VIEWS) {
  const target = join(out, `${name}.png`);
  // Half size, in a 128-colour palette: legible, and tens of kilobytes rather than a megabyte.
  await sharp(join(shots, `${name}-1600x1000.png`))
    .resize({ width: 800 })
    .png({ palette: true, colours: 128, compressionLevel: 9 })
    .toFile(target);
  console.log(`${target}: ${Math.round((await stat(target)).size / 1024)} kB`);
}
