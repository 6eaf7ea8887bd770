import { readdir, stat } from 'node:fs/promises';
import type { DatasetPreview } from '../../shared/api';
import { SPLITS } from '../../shared/dataset';
import { projectPaths } from '../project/layout';
import { readDatasetManifest } from './dataset-manifest';

/** Examples per part and class in a preview: enough for a gallery, little to send. */
const EXAMPLES = 8;

/** The project's datasets, newest first; a folder without a readable manifest is passed over. */
export async function listDatasets(projectDir: string): Promise<DatasetPreview[]> {
  const paths = projectPaths(projectDir);
  const names = (await readdir(paths.datasets).catch(() => [] as string[])).filter((name) => !name.startsWith('.'));
  const found: DatasetPreview[] = [];
  for (const name of names) {
    const manifest = await readDatasetManifest(projectDir, name).catch(() => null);
    if (!manifest) continue;
    const examples = SPLITS.flatMap((split) =>
      manifest.labels.flatMap((label) =>
        manifest.samples.filter((sample) => sample.split === split && sample.label === label && sample.variant === 'original').slice(0, EXAMPLES),
      ),
    );
    found.push({
      name,
      builtAt: (await stat(paths.datasetManifest(name))).mtimeMs,
      path: paths.dataset(name),
      options: manifest.options,
      labels: manifest.labels,
      counts: manifest.counts,
      warnings: manifest.warnings,
      examples,
      ...(manifest.foldOf && { foldOf: manifest.foldOf }),
    });
  }
  return found.sort((a, b) => b.builtAt - a.builtAt);
}
