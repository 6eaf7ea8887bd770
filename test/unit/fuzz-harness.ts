// Mutated annotation and project files, and what Maskbench makes of each, for the fuzz test and the
// fuzz bench. A mutant may be refused (a WorkbenchError naming the file and a line or a field) or
// accepted; accepted, the project it leaves must open with the code the app opens projects with, and
// export to every format. Anything else is counted: a crash (an error that is not a WorkbenchError, or
// is `internal`), a hang (over 10 s), an unopenable project, an error that says not where.

import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ANNOTATION_FORMATS, type AnnotationFormat, type ProjectAnnotations } from '../../src/shared/annotations';
import { WorkbenchError } from '../../src/shared/errors';
import type { ProjectSettings } from '../../src/shared/project';
import { exportAnnotations } from '../../src/core/annotations/export-annotations';
import { AnnotationStore } from '../../src/core/project/annotation-store';
import { importIntoProject } from '../../src/core/project/import-into-project';
import { ANNOTATIONS_FILE, PROJECT_FILE } from '../../src/core/project/layout';
import { readProjectSettings } from '../../src/core/project/project-settings';
import { Prng } from '../../src/core/util/prng';

export const FUZZ_FORMATS = ['voc', 'cvat-video', 'cvat-images', 'annotations.json', 'project.json'] as const;
export type FuzzFormat = (typeof FUZZ_FORMATS)[number];

const HANG_MS = 10_000;

/** Small valid inputs in every format, written by Maskbench's own writers from one set of annotations. */
export interface Seeds {
  voc: { name: string; text: string }[];
  cvatVideo: string;
  cvatImages: string;
  annotations: string;
  project: string;
}

export interface FuzzCounts {
  mutants: number;
  accepted: number;
  refused: number;
  crashes: number;
  hangs: number;
  unopenable: number;
  unlocated: number;
  slowestMs: number;
}

export interface FuzzFailure {
  format: FuzzFormat;
  mutation: string;
  kind: 'crash' | 'hang' | 'unopenable' | 'unlocated';
  message: string;
}

/** The first `frames` frames of `annotations`, written in the five formats (in `dir`, which is left behind for the caller to remove). */
export async function makeSeeds(annotations: ProjectAnnotations, settings: ProjectSettings, frames: number, dir: string): Promise<Seeds> {
  const cut: ProjectAnnotations = {
    ...annotations,
    frameCount: frames,
    frameNames: annotations.frameNames.slice(0, frames),
    tracks: annotations.tracks
      .map((track) => ({ ...track, shapes: track.shapes.filter((shape) => shape.frame < frames) }))
      .filter((track) => track.shapes.length > 0),
  };
  const options = { name: 'fuzz', labels: settings.labels };
  for (const format of ANNOTATION_FORMATS) await exportAnnotations(cut, format, join(dir, format), options);
  const vocNames = (await readdir(join(dir, 'voc'))).sort();
  const media = { kind: 'video' as const, path: 'clip.mp4', fps: 25, frameCount: frames, width: cut.width, height: cut.height };
  return {
    voc: await Promise.all(vocNames.map(async (name) => ({ name, text: await readFile(join(dir, 'voc', name), 'utf8') }))),
    cvatVideo: await readFile(join(dir, 'cvat-video'), 'utf8'),
    cvatImages: await readFile(join(dir, 'cvat-images'), 'utf8'),
    annotations: JSON.stringify(cut),
    project: JSON.stringify({ ...settings, media }, null, 2),
  };
}

/** Runs `count` mutants of one format, from `seed`, in folders under `root`. */
export async function fuzz(
  seeds: Seeds,
  format: FuzzFormat,
  count: number,
  seed: number,
  root: string,
): Promise<{ counts: FuzzCounts; failures: FuzzFailure[] }> {
  const random = new Prng(seed);
  const counts: FuzzCounts = { mutants: 0, accepted: 0, refused: 0, crashes: 0, hangs: 0, unopenable: 0, unlocated: 0, slowestMs: 0 };
  const failures: FuzzFailure[] = [];
  for (let i = 0; i < count; i++) {
    const project = await mkdtemp(join(root, 'p-'));
    const mutation = await writeMutant(seeds, format, random, project);
    const exportFormat = random.pick(ANNOTATION_FORMATS);
    const started = performance.now();
    const outcome = await run(format, project, exportFormat).catch((error: unknown) => error);
    const ms = performance.now() - started;
    counts.mutants++;
    counts.slowestMs = Math.max(counts.slowestMs, ms);
    const kind = ms > HANG_MS ? 'hang' : judge(outcome);
    if (kind === 'accepted' || kind === 'refused') counts[kind]++;
    else {
      counts[kind === 'hang' ? 'hangs' : kind === 'crash' ? 'crashes' : kind]++;
      failures.push({ format, mutation, kind, message: outcome instanceof Error ? (outcome.stack ?? outcome.message) : String(outcome) });
    }
    await rm(project, { recursive: true, force: true });
  }
  return { counts, failures };
}

/** An import or open that failed in a way that is fine, or not. */
class Unopenable extends Error {}

function judge(outcome: unknown): 'accepted' | 'refused' | 'crash' | 'unopenable' | 'unlocated' {
  if (outcome === undefined) return 'accepted';
  if (outcome instanceof Unopenable) return 'unopenable';
  if (!(outcome instanceof WorkbenchError) || outcome.code === 'internal') return 'crash';
  const where = outcome.where;
  return where?.file && (where.line !== undefined || where.field) ? 'refused' : 'unlocated';
}

const SOURCE = 'source';

/** What the app does with the mutant: import it (or open it), then open the project, export it, edit and save it. */
async function run(format: FuzzFormat, project: string, exportFormat: AnnotationFormat): Promise<void> {
  if (format === 'annotations.json') await AnnotationStore.load(project, []);
  else {
    // Settings that open must take an import too.
    if (format === 'project.json') await readProjectSettings(project);
    await importIntoProject(project, join(project, SOURCE), {});
  }
  await openAndUse(project, exportFormat);
}

async function openAndUse(project: string, exportFormat: AnnotationFormat): Promise<void> {
  let store: AnnotationStore;
  let settings: ProjectSettings;
  try {
    settings = (await readProjectSettings(project))!;
    store = (await AnnotationStore.load(
      project,
      settings.labels.map((label) => label.name),
    ))!;
  } catch (error) {
    throw new Unopenable(`the project does not open: ${(error as Error).message}`);
  }
  await exportAnnotations(store.annotations, exportFormat, join(project, 'export'), { name: 'fuzz', labels: settings.labels });
  const { width, height } = store.annotations;
  store.apply({ type: 'create-track', frame: 0, box: { xtl: 0, ytl: 0, xbr: width, ybr: height }, label: settings.labels[0]!.name });
  await store.flush();
  await AnnotationStore.load(project, []).catch((error: unknown) => {
    throw new Unopenable(`the project does not open after an edit: ${(error as Error).message}`);
  });
}

/** Writes the project folder for one mutant; returns what was done to it, for a failure's report. */
async function writeMutant(seeds: Seeds, format: FuzzFormat, random: Prng, project: string): Promise<string> {
  const source = join(project, SOURCE);
  const withProject = random.chance(0.5);
  const mutation = random.pick(format.endsWith('.json') ? JSON_MUTATIONS : XML_MUTATIONS);
  switch (format) {
    case 'voc': {
      await mkdir(source);
      const target = random.int(0, seeds.voc.length - 1);
      for (const [index, { name, text }] of seeds.voc.entries()) await writeFile(join(source, name), index === target ? mutation.apply(text, random) : text);
      // A file name can carry a frame number too.
      if (random.chance(0.2)) {
        const name = `frame_${random.pick(EXTREMES)}.xml`;
        await writeFile(join(source, name), mutation.apply(seeds.voc[target]!.text, random));
        if (withProject) await writeFile(join(project, PROJECT_FILE), seeds.project);
        return `${mutation.name}, and a file ${name}`;
      }
      break;
    }
    case 'cvat-video':
    case 'cvat-images':
      await writeFile(source, mutation.apply(format === 'cvat-video' ? seeds.cvatVideo : seeds.cvatImages, random));
      break;
    case 'annotations.json':
      await writeFile(join(project, PROJECT_FILE), seeds.project);
      await writeFile(join(project, ANNOTATIONS_FILE), mutation.apply(seeds.annotations, random));
      return mutation.name;
    case 'project.json':
      await writeFile(join(project, PROJECT_FILE), mutation.apply(seeds.project, random));
      await writeFile(source, seeds.cvatVideo);
      return mutation.name;
  }
  if (withProject) await writeFile(join(project, PROJECT_FILE), seeds.project);
  return mutation.name;
}

interface Mutation {
  name: string;
  apply(text: string, random: Prng): Buffer;
}

const EXTREMES = ['NaN', '1e309', '-1', '9007199254740992', '9007199254740993', '4294967296', '2147483647', '100000000', '99999999', '0', '1.5', '-1e309', ''];
const NAMES = ['__proto__', 'constructor', 'toString', 'prototype', 'hasOwnProperty', 'valueOf'];
const BYTES = '<>/"\'=&;#0123456789.-e \n\u00e9';

const utf8 = (text: string) => Buffer.from(text, 'utf8');

/** A random match of `pattern` in `text`, or null. */
function someMatch(text: string, pattern: RegExp, random: Prng): RegExpExecArray | null {
  const matches = [...text.matchAll(pattern)];
  return matches.length ? random.pick(matches) : null;
}

function replaceAt(text: string, match: RegExpExecArray | null, replacement: string): string {
  return match ? text.slice(0, match.index) + replacement + text.slice(match.index + match[0].length) : text;
}

const shared: Mutation[] = [
  {
    name: 'byte flips',
    apply(text, random) {
      const bytes = utf8(text);
      for (let n = random.int(1, 4); n > 0; n--) {
        const at = random.int(0, bytes.length - 1);
        bytes[at] = random.chance(0.3) ? random.int(0, 255) : BYTES.charCodeAt(random.int(0, BYTES.length - 1));
      }
      return bytes;
    },
  },
  { name: 'truncation', apply: (text, random) => utf8(text).subarray(0, random.int(0, Buffer.byteLength(text))) },
  {
    name: 'a number made extreme',
    apply: (text, random) => utf8(replaceAt(text, someMatch(text, /-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi, random), random.pick(EXTREMES))),
  },
  { name: 'a UTF-8 byte order mark', apply: (text) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(text)]) },
  { name: 'UTF-16 with a byte order mark', apply: (text) => Buffer.from('\ufeff' + text, 'utf16le') },
];

const XML_MUTATIONS: Mutation[] = [
  ...shared,
  {
    name: 'an element duplicated',
    apply(text, random) {
      const match = someMatch(text, /<(box|track|image|object|attribute|size|meta)\b[^>]*?(?:\/>|>[\s\S]*?<\/\1>)/g, random);
      return utf8(match ? text.slice(0, match.index + match[0].length) + match[0] + text.slice(match.index + match[0].length) : text);
    },
  },
  {
    name: 'an element renamed to a JavaScript name',
    apply(text, random) {
      const name = someMatch(text, /<([A-Za-z_][\w.-]*)/g, random)?.[1];
      return utf8(name ? text.replace(new RegExp(`(</?)${name}(?=[\\s/>])`, 'g'), `$1${random.pick(NAMES)}`) : text);
    },
  },
  {
    name: 'an attribute renamed to a JavaScript name',
    apply: (text, random) => utf8(replaceAt(text, someMatch(text, / [\w]+="/g, random), ` ${random.pick(NAMES)}="`)),
  },
  {
    name: 'a label or name made a JavaScript name, empty or huge',
    apply(text, random) {
      const value = random.pick([...NAMES, '', 'x'.repeat(300), 'masqué']);
      return utf8(
        replaceAt(
          text,
          someMatch(text, /label="[^"]*"|<name>[^<]*<\/name>|name="[^"]*"/g, random),
          random.chance(0.5) ? `label="${value}"` : `<name>${value}</name>`,
        ),
      );
    },
  },
  {
    name: 'deep nesting',
    apply(text, random) {
      const depth = random.pick([99, 101, 150, 5000]);
      return utf8(replaceAt(text, someMatch(text, /<\/(box|image|object|track)>/g, random), `${'<n>'.repeat(depth)}${'</n>'.repeat(depth)}$&`));
    },
  },
  {
    name: 'a DOCTYPE with entities',
    apply: (text, random) =>
      utf8(
        random.pick([
          '<!DOCTYPE annotations [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
          '<!DOCTYPE annotations [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
          '<!DOCTYPE annotations SYSTEM "http://example.com/x.dtd">',
          '<!DOCTYPE annotations [<!ENTITY % p "x">]>',
        ]) + text.replace(/^<\?xml[^>]*>\s*/, ''),
      ),
  },
  {
    name: 'ISO-8859-1, declared',
    apply: (text) =>
      Buffer.from(text.replace(/^<\?xml[^>]*>\s*/, '<?xml version="1.0" encoding="ISO-8859-1"?>\n').replace(/label="([^"]*)"/, 'label="masqué"'), 'latin1'),
  },
  { name: 'UTF-16 big-endian without a byte order mark', apply: (text) => Buffer.from(text.replace(/^<\?xml[^>]*>\s*/, ''), 'utf16le').swap16() },
  { name: 'an encoding no one knows, declared', apply: (text) => utf8(text.replace(/^<\?xml[^>]*>\s*/, '<?xml version="1.0" encoding="x-martian-7"?>\n')) },
];

const JSON_MUTATIONS: Mutation[] = [
  ...shared,
  {
    name: 'a list item duplicated',
    apply(text, random) {
      const value = JSON.parse(text) as Record<string, unknown>;
      const lists = listsIn(value);
      const list = random.pick(lists);
      if (list.length) list.splice(random.int(0, list.length - 1), 0, structuredClone(list[random.int(0, list.length - 1)]));
      return utf8(JSON.stringify(value));
    },
  },
  {
    name: 'a value made null',
    apply: (text, random) => utf8(replaceAt(text, someMatch(text, /(?<=[[:,])(?:-?\d[\d.e+-]*|"[^"]*"|true|false)/g, random), 'null')),
  },
  {
    name: 'a key renamed to a JavaScript name',
    apply: (text, random) => utf8(replaceAt(text, someMatch(text, /"\w+":/g, random), `"${random.pick(NAMES)}":`)),
  },
  {
    name: 'a string made a JavaScript name, empty or huge',
    apply: (text, random) => utf8(replaceAt(text, someMatch(text, /(?<=:)"[^"]*"/g, random), JSON.stringify(random.pick([...NAMES, '', 'x'.repeat(300)])))),
  },
  {
    name: 'deep nesting',
    apply(text, random) {
      const depth = random.pick([150, 300, 100_000]);
      return utf8(replaceAt(text, someMatch(text, /(?<=:)-?\d+(?:\.\d+)?/g, random), `${'['.repeat(depth)}0${']'.repeat(depth)}`));
    },
  },
  {
    name: 'a box turned inside out or moved far outside',
    apply(text, random) {
      const value = JSON.parse(text) as { tracks?: { shapes: Record<string, number>[] }[] };
      const shape = random.pick(value.tracks?.flatMap((track) => track.shapes) ?? [{}]);
      if (random.chance(0.5)) [shape.xtl, shape.xbr] = [shape.xbr!, shape.xtl!];
      else shape.xtl = (shape.xtl ?? 0) + random.pick([-1e6, 1e6, 1e300]);
      return utf8(JSON.stringify(value));
    },
  },
];

/** Every list in a JSON value. */
function listsIn(value: unknown): unknown[][] {
  if (typeof value !== 'object' || value === null) return [];
  const inner = Object.values(value).flatMap(listsIn);
  return Array.isArray(value) ? [value, ...inner] : inner;
}
