// `maskbench dataset`: crops from a project's boxes, written to datasets/<name>/ with a manifest. Built
// in a hidden folder and moved into place at the end: a failed or cancelled build leaves nothing.

import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { SPLITS, type DatasetManifest, type DatasetOptions, type DatasetSample } from '../../shared/dataset';
import { WorkbenchError } from '../../shared/errors';
import { replaceWith } from '../fs/replace';
import type { JobContext } from '../jobs/job-runner';
import { decodeImage, decodeVideoFrames, type RawFrame } from '../media/decode-frames';
import { AnnotationStore } from '../project/annotation-store';
import { readProjectSettings } from '../project/project-settings';
import { cropRegion } from './crop-region';
import { validateDatasetOptions } from './dataset-options';
import { planDataset, type PlannedSample } from './plan-dataset';

export const DATASETS_DIR = 'datasets';

export interface DatasetSummary {
  name: string;
  path: string;
  crops: number;
  counts: DatasetManifest['counts'];
  warnings: string[];
  seconds: number;
  cropsPerSecond: number;
}

export async function buildDataset(projectDir: string, name: string, options: DatasetOptions, context: JobContext, force = false): Promise<DatasetSummary> {
  const started = performance.now();
  if (!/^[\w.-]{1,64}$/.test(name) || name.startsWith('.')) {
    throw new WorkbenchError('invalid-request', `--name must be 1 to 64 letters, digits, dots, dashes or underscores, not starting with a dot, got "${name}"`, { field: 'name' });
  }
  const settings = await readProjectSettings(projectDir);
  if (!settings?.media) throw new WorkbenchError('invalid-request', `${projectDir} has no media in its project.json: a dataset is cut from its video or frames`, { file: projectDir });
  const store = await AnnotationStore.load(projectDir, settings.labels.map((label) => label.name));
  if (!store) throw new WorkbenchError('invalid-request', `${projectDir} has no annotations yet: import some first`, { file: projectDir });
  const target = join(projectDir, DATASETS_DIR, name);
  if ((await stat(target).catch(() => null)) && !force) {
    throw new WorkbenchError('already-exists', `The dataset ${name} already exists in ${projectDir}: choose another --name, or --force to rebuild it`, { file: target });
  }
  const annotations = store.annotations;
  validateDatasetOptions(options, annotations.frameCount);
  const plan = planDataset(annotations, options);

  const staging = join(projectDir, DATASETS_DIR, `.${name}.partial-${randomBytes(4).toString('hex')}`);
  await mkdir(staging, { recursive: true });
  try {
    for (const split of SPLITS) for (const label of plan.labels) await mkdir(join(staging, split, label), { recursive: true });
    const byFrame = new Map<number, PlannedSample[]>();
    for (const sample of plan.samples) byFrame.set(sample.frame, [...(byFrame.get(sample.frame) ?? []), sample]);
    const frames = [...byFrame.keys()].sort((a, b) => a - b);
    const written: DatasetSample[] = [];
    let done = 0;
    const cut = async (raw: RawFrame) => {
      const samples = byFrame.get(raw.frame);
      if (!samples) return;
      written.push(...(await Promise.all(samples.map((sample) => writeCrops(staging, raw, sample, options)))).flat());
      context.progress(++done, frames.length, `Cutting frame ${raw.frame} (${done} of ${frames.length})`);
    };
    const media = settings.media;
    const mediaPath = join(projectDir, media.path);
    if (media.kind === 'video') {
      await decodeVideoFrames(mediaPath, media.width, media.height, options.stride, context.signal, cut);
    } else {
      for (const frame of frames) {
        context.signal.throwIfAborted();
        await cut(await decodeImage(join(mediaPath, annotations.frameNames[frame]!), frame));
      }
    }
    if (done < frames.length) throw new WorkbenchError('io-error', `Only ${done} of the ${frames.length} frames needed could be decoded from ${mediaPath}`, { file: mediaPath });

    const manifest: DatasetManifest = {
      schema: 1,
      name,
      options,
      labels: plan.labels,
      counts: plan.counts,
      classWeights: plan.classWeights,
      splits: plan.splits,
      warnings: plan.warnings,
      samples: written.sort((a, b) => a.frame - b.frame || a.trackId - b.trackId || Number(a.flipped) - Number(b.flipped)),
    };
    await writeFile(join(staging, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
    await replaceWith(staging, target);
    const seconds = (performance.now() - started) / 1000;
    return { name, path: target, crops: written.length, counts: plan.counts, warnings: plan.warnings, seconds: Math.round(seconds * 10) / 10, cropsPerSecond: Math.round(written.length / seconds) };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** The crop of one box (and its mirror image, with flip), at the model's input size. */
async function writeCrops(folder: string, raw: RawFrame, sample: PlannedSample, options: DatasetOptions): Promise<DatasetSample[]> {
  const region = cropRegion(sample.box, options, raw.width, raw.height);
  const left = Math.floor(region.xtl);
  const top = Math.floor(region.ytl);
  const extract = { left, top, width: Math.max(1, Math.min(raw.width - left, Math.ceil(region.xbr) - left)), height: Math.max(1, Math.min(raw.height - top, Math.ceil(region.ybr) - top)) };
  const base = `${sample.split}/${sample.label}/f${String(sample.frame).padStart(6, '0')}_t${sample.trackId}`;
  // The region's rows are copied out first: sharp then works on a few kilobytes, not the whole frame.
  const pixels = Buffer.allocUnsafe(extract.width * extract.height * 3);
  for (let row = 0; row < extract.height; row++) {
    const from = ((extract.top + row) * raw.width + extract.left) * 3;
    raw.rgb.copy(pixels, row * extract.width * 3, from, from + extract.width * 3);
  }
  const crop = () =>
    sharp(pixels, { raw: { width: extract.width, height: extract.height, channels: 3 } }).resize(options.size, options.size, {
      fit: options.square ? 'fill' : 'contain',
      background: { r: 0, g: 0, b: 0 },
    });
  const entry = (file: string, flipped: boolean): DatasetSample => ({ file, frame: sample.frame, trackId: sample.trackId, box: sample.box, region, label: sample.label, split: sample.split, flipped });
  // Light compression: these are written once and read many times, and size matters less than speed here.
  await crop().png({ compressionLevel: 2 }).toFile(join(folder, `${base}.png`));
  if (!options.flip) return [entry(`${base}.png`, false)];
  await crop().flop().png({ compressionLevel: 2 }).toFile(join(folder, `${base}_flip.png`));
  return [entry(`${base}.png`, false), entry(`${base}_flip.png`, true)];
}
