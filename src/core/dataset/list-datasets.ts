import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetPreview } from '../../shared/api';
import { SPLITS, type DatasetManifest } from '../../shared/dataset';
import { DATASETS_DIR } from './build-dataset';

/** Examples per part and class in a preview: enough for a gallery, little to send. */
const EXAMPLES = 8;

/** The project's datasets, newest first; a folder without a readable manifest is passed over. */
export async function listDatasets(projectDir: string): Promise<DatasetPreview[]> {
  const folder = join(projectDir, DATASETS_DIR);
  const names = (await readdir(folder).catch(() => [] as string[])).filter((name) => !name.startsWith('.'));
  const found: DatasetPreview[] = [];
  for (const name of names) {
    const file = join(folder, name, 'manifest.json');
    const manifest = await readFile(file, 'utf8').then((text) => JSON.parse(text) as DatasetManifest, () => null);
    if (!manifest) continue;
    const examples = SPLITS.flatMap((split) => manifest.labels.flatMap((label) => manifest.samples.filter((sample) => sample.split === split && sample.label === label && sample.variant === 'original').slice(0, EXAMPLES)));
    found.push({ name, builtAt: (await stat(file)).mtimeMs, path: join(folder, name), options: manifest.options, labels: manifest.labels, counts: manifest.counts, warnings: manifest.warnings, examples });
  }
  return found.sort((a, b) => b.builtAt - a.builtAt);
}
