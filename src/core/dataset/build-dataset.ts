// `maskbench dataset`: crops from a project's boxes, written to datasets/<name>/ with a manifest. Built
// in a hidden folder and moved into place at the end: a failed or cancelled build leaves nothing.

import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BoxGeometry } from '../../shared/annotations';
import {
  SPLITS,
  datasetNameSchema,
  type CropVariant,
  type DatasetManifest,
  type DatasetOptions,
  type DatasetSample,
  type DatasetSummary,
} from '../../shared/dataset';
import { WorkbenchError } from '../../shared/errors';
import { frameSize } from '../../shared/frame-sizes';
import { writeJsonFile } from '../fs/json-file';
import { exists } from '../fs/paths';
import { replaceWith, stagingFor, sweepLeftovers } from '../fs/replace';
import type { JobContext } from '../jobs/job-runner';
import { decodeFolderFrame, decodeVideoFrames, type RawFrame } from '../media/decode-frames';
import { AnnotationStore } from '../project/annotation-store';
import { PROJECT_FILE, datasetPaths, projectPaths } from '../project/layout';
import { readProjectSettings } from '../project/project-settings';
import { Prng } from '../util/prng';
import { cropImage, cropRegion, type CropLook } from './crop-region';
import { readDatasetManifest } from './dataset-manifest';
import { checkAgainstClip } from './dataset-options';
import { read } from '../../shared/schema';
import { planDataset, type PlannedSample } from './plan-dataset';

export async function buildDataset(projectDir: string, name: string, options: DatasetOptions, context: JobContext, force = false): Promise<DatasetSummary> {
  const started = performance.now();
  read(datasetNameSchema, name, { field: 'name' });
  const settings = await readProjectSettings(projectDir);
  if (!settings?.media)
    throw new WorkbenchError('invalid-request', `${projectDir} has no media in its ${PROJECT_FILE}: a dataset is cut from its video or frames`, {
      file: projectDir,
    });
  const store = await AnnotationStore.load(
    projectDir,
    settings.labels.map((label) => label.name),
  );
  if (!store) throw new WorkbenchError('invalid-request', `${projectDir} has no annotations yet: import some first`, { file: projectDir });
  const target = projectPaths(projectDir).dataset(name);
  // First, so that a version a killed rebuild set aside is back, and counts as there.
  await sweepLeftovers(target);
  if ((await exists(target)) && !force) {
    throw new WorkbenchError('already-exists', `The dataset ${name} already exists in ${projectDir}: choose another name, or rebuild it (force)`, {
      file: target,
    });
  }
  const annotations = store.annotations;
  checkAgainstClip(options, annotations);
  const plan = planDataset(annotations, options);

  const staging = stagingFor(projectPaths(projectDir).dataset(name));
  await mkdir(staging, { recursive: true });
  try {
    for (const split of SPLITS) for (const label of plan.labels) await mkdir(join(staging, split, label), { recursive: true });
    const media = settings.media;
    const mediaInfo = await stat(join(projectDir, media.path));
    const source = { path: media.path, bytes: mediaInfo.size, modified: mediaInfo.mtimeMs, frameCount: annotations.frameCount };
    const written: DatasetSample[] = [];
    // A rebuild copies what has not changed: same video, same box region, same pixel settings.
    const previous = force && media.kind === 'video' ? await reusableCrops(projectDir, name, options, source) : new Map<string, DatasetSample[]>();
    let reused = 0;
    const toCut: PlannedSample[] = [];
    for (const sample of plan.samples) {
      context.signal.throwIfAborted();
      const family = previous.get(baseName(sample));
      const original = family?.find((entry) => entry.variant === 'original');
      const { width, height } = frameSize(annotations, sample.frame);
      if (!family || !original || !sameRegion(original.region, cropRegion(sample.box, options, width, height))) {
        toCut.push(sample);
        continue;
      }
      // File names come from the key, never from the old manifest; a crop gone missing is cut again.
      const copies = family.map((entry) => ({ ...entry, file: `${baseName(sample)}${VARIANT_SUFFIX[entry.variant]}.png` }));
      const copied = await Promise.all(
        copies.map((entry) =>
          copyFile(join(target, entry.file), join(staging, entry.file)).then(
            () => true,
            () => false,
          ),
        ),
      );
      if (copied.every(Boolean)) {
        reused += copies.length;
        written.push(...copies);
      } else toCut.push(sample);
    }
    const byFrame = new Map<number, PlannedSample[]>();
    for (const sample of toCut) byFrame.set(sample.frame, [...(byFrame.get(sample.frame) ?? []), sample]);
    const frames = [...byFrame.keys()].sort((a, b) => a - b);
    let done = 0;
    const cut = async (raw: RawFrame) => {
      const samples = byFrame.get(raw.frame);
      if (!samples) return;
      written.push(...(await Promise.all(samples.map((sample) => writeCrops(staging, raw, sample, options)))).flat());
      context.progress(++done, frames.length, `Cutting frame ${raw.frame} (${done} of ${frames.length})`);
    };
    const mediaPath = join(projectDir, media.path);
    if (frames.length === 0) {
      // Nothing to cut: no frame needs decoding.
    } else if (media.kind === 'video') {
      await decodeVideoFrames(mediaPath, media.width, media.height, options.stride, Math.ceil(annotations.frameCount / options.stride), context.signal, cut);
    } else {
      for (const frame of frames) {
        context.signal.throwIfAborted();
        await cut(await decodeFolderFrame(mediaPath, annotations, frame));
      }
    }
    if (done < frames.length)
      throw new WorkbenchError('io-error', `Only ${done} of the ${frames.length} frames needed could be decoded from ${mediaPath}`, { file: mediaPath });

    const manifest: DatasetManifest = {
      schema: 1,
      name,
      // The split as taken, so the manifest says what auto decided.
      options: { ...options, splitBy: plan.splitBy },
      labels: plan.labels,
      counts: plan.counts,
      classWeights: plan.classWeights,
      splits: plan.splits,
      warnings: plan.warnings,
      source,
      augmentation: { materialised: (['flip', 'jitter'] as const).filter((variant) => options[variant]) },
      samples: written.sort((a, b) => a.frame - b.frame || a.trackId - b.trackId || a.variant.localeCompare(b.variant)),
    };
    await writeJsonFile(datasetPaths(staging).manifest, manifest);
    await replaceWith(staging, target);
    const seconds = (performance.now() - started) / 1000;
    return {
      name,
      path: target,
      crops: written.length,
      reused,
      counts: plan.counts,
      warnings: plan.warnings,
      seconds: Math.round(seconds * 10) / 10,
      cropsPerSecond: Math.round(written.length / seconds),
    };
  } catch (error) {
    await rm(staging, { recursive: true, force: true, maxRetries: 3 });
    throw error;
  }
}

const VARIANT_SUFFIX: Record<CropVariant, string> = { original: '', flip: '_flip', jitter: '_jitter' };

/** A crop's file name without its variant: where it goes tells its part and label, and whose box it is. */
function baseName(sample: { split: string; label: string; frame: number; trackId: number }): string {
  return `${sample.split}/${sample.label}/f${String(sample.frame).padStart(6, '0')}_t${sample.trackId}`;
}

/**
 * The previous build's crops (each box's variants together), when it was made with the same pixel
 * settings (size, shape, padding, crop kind, augmentation and seed); empty otherwise, and when its
 * manifest cannot be read: a rebuild is how a damaged dataset is mended.
 */
async function reusableCrops(
  projectDir: string,
  name: string,
  options: DatasetOptions,
  source: DatasetManifest['source'],
): Promise<Map<string, DatasetSample[]>> {
  const manifest = await readDatasetManifest(projectDir, name).catch(() => null);
  const pixels = (o: DatasetOptions) =>
    JSON.stringify([o.size, o.square, o.padding, o.crop, o.headFraction, o.headWidth, o.flip, o.jitter, o.jitter ? o.seed : 0]);
  const families = new Map<string, DatasetSample[]>();
  if (!manifest || pixels(manifest.options) !== pixels(options) || JSON.stringify(manifest.source) !== JSON.stringify(source)) return families;
  for (const sample of manifest.samples) families.set(baseName(sample), [...(families.get(baseName(sample)) ?? []), sample]);
  return families;
}

function sameRegion(a: BoxGeometry, b: BoxGeometry): boolean {
  return Math.abs(a.xtl - b.xtl) + Math.abs(a.ytl - b.ytl) + Math.abs(a.xbr - b.xbr) + Math.abs(a.ybr - b.ybr) < 1e-6;
}

/** The crop of one box, at the model's input size, and its mirrored and jittered copies when asked. */
async function writeCrops(folder: string, raw: RawFrame, sample: PlannedSample, options: DatasetOptions): Promise<DatasetSample[]> {
  const region = cropRegion(sample.box, options, raw.width, raw.height);
  const base = baseName(sample);
  const entry = (file: string, variant: CropVariant): DatasetSample => ({
    file,
    frame: sample.frame,
    trackId: sample.trackId,
    box: sample.box,
    region,
    label: sample.label,
    split: sample.split,
    variant,
  });
  const written = [entry(`${base}.png`, 'original')];
  await cut(raw, region, options, join(folder, `${base}.png`));
  // Augmented copies are for training only: in val and test they would count each person twice.
  if (sample.split !== 'train') return written;
  if (options.flip) {
    await cut(raw, region, options, join(folder, `${base}${VARIANT_SUFFIX.flip}.png`), { flip: true });
    written.push(entry(`${base}${VARIANT_SUFFIX.flip}.png`, 'flip'));
  }
  if (options.jitter) {
    // The same crop always gets the same jitter: seeded by the options' seed, the frame and the person.
    const random = new Prng((options.seed ^ Math.imul(sample.frame + 1, 0x9e3779b1) ^ Math.imul(sample.trackId + 1, 0x85ebca6b)) >>> 0);
    const size = Math.max(region.xbr - region.xtl, region.ybr - region.ytl);
    const scale = random.range(0.9, 1.1);
    const dx = random.range(-0.05, 0.05) * size;
    const dy = random.range(-0.05, 0.05) * size;
    const cx = (region.xtl + region.xbr) / 2 + dx;
    const cy = (region.ytl + region.ybr) / 2 + dy;
    const halfW = ((region.xbr - region.xtl) * scale) / 2;
    const halfH = ((region.ybr - region.ytl) * scale) / 2;
    const moved = { xtl: Math.max(0, cx - halfW), ytl: Math.max(0, cy - halfH), xbr: Math.min(raw.width, cx + halfW), ybr: Math.min(raw.height, cy + halfH) };
    await cut(raw, moved, options, join(folder, `${base}${VARIANT_SUFFIX.jitter}.png`), {
      brightness: random.range(0.85, 1.15),
      contrast: random.range(0.85, 1.15),
    });
    written.push({ ...entry(`${base}${VARIANT_SUFFIX.jitter}.png`, 'jitter'), region: moved });
  }
  return written;
}

/** Cuts `region` out of the frame and writes it at the input size, optionally mirrored or with other brightness and contrast. */
async function cut(raw: RawFrame, region: BoxGeometry, options: DatasetOptions, file: string, look: CropLook = {}): Promise<void> {
  // Light compression: these are written once and read many times, and size matters less than speed here.
  await cropImage(raw, region, options, look).png({ compressionLevel: 2 }).toFile(file);
}
