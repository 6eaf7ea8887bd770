// A dataset folder written directly, crop by crop: each class a colour plus noise, so a model can learn
// it in a few batches, and any part, class or size a test needs (including ones the builder refuses).

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { DATASET_DEFAULTS, SPLITS, type DatasetManifest, type DatasetSample, type SplitName } from '../../src/shared/dataset';
import { Prng } from '../../src/core/util/prng';

const COLOURS: Record<string, [number, number, number]> = { MW: [40, 90, 200], NM: [200, 150, 110], ND: [60, 60, 60] };

export interface SyntheticOptions {
  size?: number;
  /** Crops per part and label. */
  counts?: Record<SplitName, Record<string, number>>;
  classWeights?: Record<string, number> | null;
  /** Validation crops coloured as the next class: nothing learnt from train helps there. */
  misleadingVal?: boolean;
}

export async function writeSyntheticDataset(projectDir: string, name: string, options: SyntheticOptions = {}): Promise<string> {
  const size = options.size ?? 32;
  const counts = options.counts ?? { train: { MW: 24, NM: 24, ND: 24 }, val: { MW: 8, NM: 8, ND: 8 }, test: { MW: 8, NM: 8, ND: 8 } };
  const labels = [...new Set(SPLITS.flatMap((split) => Object.keys(counts[split])))];
  const folder = join(projectDir, 'datasets', name);
  await mkdir(folder, { recursive: true });
  const random = new Prng(7);
  const samples: DatasetSample[] = [];
  for (const split of SPLITS) {
    for (const [label, count] of Object.entries(counts[split])) {
      for (let i = 0; i < count; i++) {
        const file = `${split}-${label}-${i}.png`;
        const pixels = Buffer.alloc(size * size * 3);
        const colour = COLOURS[split === 'val' && options.misleadingVal ? labels[(labels.indexOf(label) + 1) % labels.length]! : label]!;
        for (let p = 0; p < pixels.length; p++) pixels[p] = Math.max(0, Math.min(255, colour[p % 3]! + (random.next() - 0.5) * 120));
        await sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
          .png()
          .toFile(join(folder, file));
        const box = { xtl: 0, ytl: 0, xbr: size, ybr: size };
        samples.push({ file, frame: samples.length, trackId: i, box, region: box, label, split, variant: 'original' });
      }
    }
  }
  const manifest: DatasetManifest = {
    schema: 1,
    name,
    options: { ...DATASET_DEFAULTS, size },
    labels,
    counts,
    classWeights: options.classWeights ?? null,
    source: { path: 'synthetic', bytes: 0, modified: 0, frameCount: samples.length },
    augmentation: { materialised: ['original'] },
    splits: { train: { frames: null, tracks: [] }, val: { frames: null, tracks: [] }, test: { frames: null, tracks: [] } },
    warnings: [],
    samples,
  };
  await writeFile(join(folder, 'manifest.json'), JSON.stringify(manifest));
  return folder;
}
