import { WorkbenchError } from '../../shared/errors';
import { DATASET_DEFAULTS, datasetDefaultsFor, datasetOptionsSchema } from '../../shared/dataset';
import { read } from '../../shared/schema';
import { buildDataset } from '../../core/dataset/build-dataset';
import { isPhotoCollection } from '../../core/project/project-media';
import type { CliCommand } from '../command';
import { progressPrinter } from '../progress';
import { flagOf, given, number, projectFolder, required } from '../flags';

const d = DATASET_DEFAULTS;
/** The flag of each dataset option, where it is not the option's name in kebab case. */
const FLAGS = { ndPolicy: '--nd', square: '--aspect' };
const NUMBERS = ['stride', 'gap', 'headFraction', 'padding', 'size', 'minSize', 'seed'] as const;
const CHOICES = ['splitBy', 'classes', 'ndPolicy', 'balance', 'crop', 'headWidth'] as const;

export const datasetCommand: CliCommand = {
  summary: 'cut a crop dataset from a project’s labelled boxes, split so neighbouring frames never leak',
  usage: [
    '--project DIR        the project folder',
    '--name ID            the dataset (written to DIR/datasets/ID)',
    `--stride N           every N-th frame (default ${d.stride}, 1 for a collection of photos; the study used 20, 40, 60)`,
    `--split A,B,C        train, val, test fractions (default ${d.split.join(',')})`,
    `--gap N              frames left out between parts (default ${d.gap})`,
    '--split-by W         auto (default: image for photos, time otherwise), time, track (no person in two parts),',
    '                     image (no photo in two parts) or random (leaks; warned)',
    '--classes C          MW,NM,ND (default) or MW,NM',
    '--nd P               with MW,NM: merge ND into NM (default) or drop it',
    '--crop C             box (the whole person, default) or head (the top of the box)',
    `--head-fraction F    the part of the box taken as the head (default ${d.headFraction})`,
    '--head-width W       box (the head part as wide as the box, default) or head (as wide as the head',
    '                     part is tall: the head fills the crop, with less of the shoulders and neighbours)',
    `--padding P          added around the crop, as a fraction (default ${d.padding})`,
    '--aspect             keep the box’s shape (letterboxed) instead of a square crop',
    `--size PX            the model's input size, 32 to 224 (default ${d.size})`,
    '--balance B          none (default), undersample or weights',
    `--min-size PX        leave out boxes smaller than this (default ${d.minSize})`,
    '--skip-occluded      leave out boxes marked occluded',
    '--flip               also write each crop mirrored',
    '--jitter             also write each crop slightly shifted, scaled, brighter or darker',
    `--seed S             for undersampling and track, image or random splits (default ${d.seed})`,
    '--force              rebuild a dataset that exists',
  ],
  options: Object.fromEntries([
    ...[
      'project',
      'name',
      'stride',
      'split',
      'gap',
      'split-by',
      'classes',
      'nd',
      'crop',
      'head-fraction',
      'head-width',
      'padding',
      'size',
      'balance',
      'min-size',
      'seed',
    ].map((name) => [name, { type: 'string' }]),
    ...['aspect', 'skip-occluded', 'flip', 'jitter', 'force'].map((name) => [name, { type: 'boolean' }]),
  ]) as CliCommand['options'],
  flags: FLAGS,

  async run(args, { json, output }) {
    const project = await projectFolder(args.project);
    const options = read(
      datasetOptionsSchema,
      given({
        ...Object.fromEntries(NUMBERS.map((key) => [key, number(args[flagOf(key, FLAGS).slice(2)], key)])),
        ...(args.stride === undefined && (await isPhotoCollection(project)) ? { stride: datasetDefaultsFor(true).stride } : {}),
        ...Object.fromEntries(CHOICES.map((key) => [key, args[flagOf(key, FLAGS).slice(2)]])),
        split: splitFractions(args.split),
        square: args.aspect === true ? false : undefined,
        skipOccluded: args['skip-occluded'] === true || undefined,
        flip: args.flip === true || undefined,
        jitter: args.jitter === true || undefined,
      }),
    );
    // Ctrl+C cancels: the build cleans up after itself and leaves no half-written dataset.
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    const summary = await buildDataset(
      project,
      required(args.name, 'name'),
      options,
      { signal: controller.signal, ...progressPrinter(output, json) },
      args.force === true,
    ).finally(() => process.off('SIGINT', stop));
    if (json) output.out(JSON.stringify(summary));
    else {
      output.out(
        `Wrote ${summary.crops} crops to ${summary.path} in ${summary.seconds} s (${summary.cropsPerSecond} crops/s)${summary.reused ? `; ${summary.reused} were unchanged and copied from the last build` : ''}`,
      );
      for (const [split, counts] of Object.entries(summary.counts))
        output.out(
          `  ${split.padEnd(6)}${Object.entries(counts)
            .map(([label, count]) => `${label} ${count}`)
            .join(', ')}`,
        );
      for (const warning of summary.warnings) output.err(`warning: ${warning}`);
    }
    return 0;
  },
};

/** "0.7,0.15,0.15" as three numbers; the declaration checks that they are fractions adding up to 1. */
function splitFractions(value: string | boolean | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = typeof value === 'string' ? value.split(',') : [];
  if (parts.length !== 3)
    throw new WorkbenchError('invalid-request', `"split" must be three fractions such as 0.7,0.15,0.15, got "${String(value)}"`, { field: 'split' });
  return parts.map((part) => number(part, 'split')!);
}
