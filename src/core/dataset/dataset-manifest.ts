// A dataset's manifest.json, read and checked. Every reader of a manifest comes here, so a damaged or
// hand-made file is refused naming the file and the field, rather than failing somewhere later.

import { DATASET_DEFAULTS, type DatasetManifest, type DatasetOptions } from '../../shared/dataset';
import { WorkbenchError } from '../../shared/errors';
import { finite, list, oneOf, read, text, v, type Schema } from '../../shared/schema';
import { readJsonFile } from '../fs/json-file';
import { existingFolder } from '../project/existing-folder';
import { projectPaths } from '../project/layout';

const box = v.object({ xtl: finite(), ytl: finite(), xbr: finite(), ybr: finite() }, 'a box (xtl, ytl, xbr, ybr)');
const whole = () => v.pipe(v.number('a whole number'), v.integer('a whole number'));
const perSplit = <S extends Schema>(item: S) => v.object({ train: item, val: item, test: item }, 'an object with train, val and test');
const variant = oneOf(['original', 'flip', 'jitter']);

const manifestSchema = v.object(
  {
    schema: v.literal(1, 'schema 1'),
    name: text(),
    // Checked against their declaration when the dataset was built. A hand-made manifest may hold what the
    // builder refuses (a size no model can take, say), and the trainer names that better than a range here.
    // An option added since the dataset was built takes its default, which is always what was done before it.
    options: v.pipe(
      v.custom<Partial<DatasetOptions>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'an object'),
      v.transform((options): DatasetOptions => ({ ...DATASET_DEFAULTS, ...options })),
    ),
    labels: list(text()),
    counts: perSplit(v.record(v.string(), finite(), 'counts of crops by class')),
    classWeights: v.nullable(v.record(v.string(), finite(), 'weights by class')),
    source: v.object({ path: v.string('a path'), bytes: finite(), modified: finite(), frameCount: whole() }, 'an object'),
    augmentation: v.object({ materialised: list(variant) }, 'an object'),
    splits: perSplit(v.object({ frames: v.nullable(v.tuple([whole(), whole()], 'a first and a last frame')), tracks: list(whole()) }, 'an object')),
    warnings: list(v.string('text')),
    foldOf: v.optional(text()),
    samples: list(
      v.object(
        { file: text(), frame: whole(), trackId: whole(), box, region: box, label: text(), split: oneOf(['train', 'val', 'test']), variant },
        'an object',
      ),
    ),
  },
  'a Maskbench dataset manifest',
);

/** The manifest of the project's dataset `name`, checked; a dataset that is not there is an error naming it. */
export async function readDatasetManifest(projectDir: string, name: string): Promise<DatasetManifest> {
  // A mistyped --project is said as such, not as a dataset missing from it.
  await existingFolder(projectDir, 'project');
  const file = projectPaths(projectDir).datasetManifest(name);
  const value = await readJsonFile(file);
  if (value === null) {
    throw new WorkbenchError('not-found', `There is no dataset "${name}" in this project`, { field: 'dataset', file });
  }
  return read(manifestSchema, value, { file, code: 'invalid-dataset' });
}
