// An export, even with force, never overwrites anything of the project's own, whatever the path: not the
// project folder, a folder holding it, an entry Maskbench made in it, anything inside one, or a folder
// holding one; through the window's API and the CLI alike.

import { cp, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exportCommand } from '../../src/cli/commands/export';
import type { Workbench } from '../../src/core/workbench';
import { useTempDirs } from '../support/temp-dir';
import { testWorkbench } from '../support/workbench';

const tempDir = useTempDirs();
let root: string;
let project: string;
let workbench: Workbench;

/** Every file under `folder` with its size and modification time, to show that nothing changed. */
async function snapshot(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true });
  return Promise.all(
    entries.sort().map(async (entry) => {
      const info = await stat(join(folder, entry));
      return `${entry} ${info.isDirectory() ? 'dir' : info.size} ${info.mtimeMs}`;
    }),
  );
}

// One project for all: every refusal is checked to change nothing in it.
beforeAll(async () => {
  // The sample (project.json, annotations.json, sample.json, annotations/, media/) and the rest a project gets with use.
  root = await mkdtemp(join(tmpdir(), 'maskbench-test-export-'));
  project = join(root, 'project');
  await cp(inject('sampleProject'), project, { recursive: true });
  for (const file of ['history/annotations-1.json', 'imports/a.xml', 'datasets/heads/manifest.json', 'runs/r1/config.json', 'trash/runs/r0/config.json']) {
    await mkdir(join(project, dirname(file)), { recursive: true });
    await writeFile(join(project, file), '{}');
  }
  workbench = testWorkbench(join(root, 'data'));
  await workbench.openProject({ path: project });
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** Paths relative to the project: each entry Maskbench made, something inside each folder of them, and the folders above. */
const TARGETS = [
  ...['project.json', 'annotations.json', 'sample.json', 'media/walkway.mp4'],
  ...['history', 'imports', 'datasets', 'runs', 'trash', 'annotations', 'media', 'media/frames'],
  ...['history/new.xml', 'imports/a.xml', 'datasets/heads', 'datasets/new', 'runs/r1', 'runs/r1/config.json', 'trash/runs', 'trash/new.xml'],
  ...['annotations/noisy', 'media/frames/new'],
  ...['.', '..'],
];

describe('exporting with force', () => {
  it.each(TARGETS)('refuses %s, from the window and from the CLI, and changes nothing', async (target) => {
    const before = await snapshot(project);
    const out = join(project, target);
    await expect(workbench.exportAnnotations({ format: 'voc', out, force: true })).rejects.toMatchObject({ code: 'forbidden-path', where: { field: 'out' } });
    const cli = exportCommand.run({ project, format: 'cvat-images', out, force: true }, { json: true, output: { out: () => {}, err: () => {} } }, []);
    await expect(cli).rejects.toMatchObject({ code: 'forbidden-path' });
    expect(await snapshot(project)).toEqual(before);
  });

  it('refuses the same places reached through a link, and the link itself when it leads into the project', async () => {
    const links = await tempDir();
    await symlink(project, join(links, 'to-project'));
    await symlink(join(project, 'runs'), join(links, 'to-runs'));
    const before = await snapshot(project);
    for (const out of ['to-project/runs', 'to-project/datasets/heads', 'to-project', 'to-runs', 'to-runs/r1']) {
      await expect(workbench.exportAnnotations({ format: 'voc', out: join(links, out), force: true }), out).rejects.toMatchObject({ code: 'forbidden-path' });
    }
    expect(await snapshot(project)).toEqual(before);
  });

  it('still replaces a file or folder of the user’s own, in the project or beside it', async () => {
    for (const out of [join(project, 'export.xml'), join(dirname(project), 'export.xml'), join(project, 'exports')]) {
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, 'old');
      await workbench.exportAnnotations({ format: out.endsWith('.xml') ? 'cvat-images' : 'voc', out, force: true });
      expect((await stat(out)).size, relative(project, out)).toBeGreaterThan(3);
    }
  });
});
