import { cp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { readProjectSettings } from '../../src/core/project/project-settings';
import { openStartupProject } from '../../src/core/project/startup-project';
import { DEFAULT_LABELS } from '../../src/shared/project';
import { PROJECT_FILE, samplePaths } from '../../src/core/project/layout';
import { useTempDirs } from '../support/temp-dir';
import { testWorkbench } from '../support/workbench';

const valid = {
  schema: 1,
  name: 'Walkway',
  media: { kind: 'video', path: 'media/clip.mp4', fps: 25, frameCount: 10, width: 640, height: 360 },
  labels: DEFAULT_LABELS,
  labelMapping: { with_mask: 'MW' },
};

describe('project.json', () => {
  const tempDir = useTempDirs();

  async function folderWith(content: string): Promise<string> {
    const folder = await tempDir();
    await writeFile(join(folder, PROJECT_FILE), content);
    return folder;
  }

  it('reads valid settings, and null for a folder without the file', async () => {
    expect(await readProjectSettings(await folderWith(JSON.stringify(valid)))).toEqual(valid);
    expect(await readProjectSettings(await tempDir())).toBeNull();
  });

  it('names the line of JSON that does not parse', async () => {
    const folder = await folderWith('{\n  "schema": 1,\n  "name": "x",,\n}');
    await expect(readProjectSettings(folder)).rejects.toMatchObject({ code: 'invalid-project', where: { file: join(folder, PROJECT_FILE), line: 3 } });
  });

  it.each([
    [{ schema: 2 }, 'schema', 'has schema 2; this Maskbench reads schema 1'],
    [{ name: '' }, 'name', '"name" must be a non-empty string'],
    // Relative, so a project moved with its media still finds it; "../" reaches media referenced where it is.
    [{ media: { ...valid.media, path: '/etc/clip.mp4' } }, 'media.path', '"media.path" must be a path relative to the project folder'],
    [{ media: { ...valid.media, path: '.' } }, 'media.path', 'not the folder itself'],
    [{ media: { ...valid.media, kind: 'gif' } }, 'media.kind', '"media.kind" must be "video" or "frames"'],
    [{ media: { ...valid.media, frameCount: 1.5 } }, 'media.frameCount', 'a whole number above 0'],
    [{ media: { ...valid.media, fps: -1 } }, 'media.fps', 'a number above 0'],
    [{ labels: [] }, 'labels', 'a non-empty list'],
    [{ labels: [DEFAULT_LABELS[0], DEFAULT_LABELS[0]] }, 'labels[1].name', 'unique ("MW" is listed twice)'],
    [{ labels: [{ ...DEFAULT_LABELS[0], color: 7 }] }, 'labels[0].color', 'a non-empty string'],
    [{ labelMapping: { with_mask: 'MASK' } }, 'labelMapping.with_mask', "one of the project's labels (MW, NM, ND)"],
  ])('refuses %j, naming the field', async (change, field, message) => {
    const folder = await folderWith(JSON.stringify({ ...valid, ...change }));
    const error = await readProjectSettings(folder).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'invalid-project', where: { field } });
    expect((error as Error).message).toContain(message);
  });

  it('opens a project folder with its settings and name; a broken project.json stops the open', async () => {
    const workbench = testWorkbench(await tempDir());
    const sample = await tempDir();
    await cp(inject('sampleProject'), sample, { recursive: true });
    expect(await workbench.openProject({ path: sample })).toMatchObject({ name: 'Walkway (sample)', settings: { media: { frameCount: 160 } } });
    const broken = await folderWith('{');
    await expect(workbench.openProject({ path: broken })).rejects.toMatchObject({ code: 'invalid-project' });
    expect((await workbench.currentProject())?.path).toBe(sample);
  });
});

describe('the sample project and the start-up project', () => {
  const tempDir = useTempDirs();

  it('opens the stored sample project at once when it has been made before', async () => {
    const workbench = testWorkbench(await tempDir());
    await cp(inject('sampleProject'), workbench.sampleProjectDir, { recursive: true });
    expect(await workbench.openSampleProject()).toMatchObject({ path: workbench.sampleProjectDir, name: 'Walkway (sample)' });
    expect(await workbench.listJobs()).toEqual([]);
  });

  it('reopens the last project on start when its folder is still there, else the sample', async () => {
    const dataDir = await tempDir();
    const last = await tempDir();
    const first = testWorkbench(dataDir);
    await cp(inject('sampleProject'), first.sampleProjectDir, { recursive: true });
    // A project: a plain folder does not go into Recent.
    await first.createProject({ folder: last, media: samplePaths(inject('sampleProject')).video, keep: 'reference' });

    const restarted = testWorkbench(dataDir);
    await openStartupProject(restarted);
    expect((await restarted.currentProject())?.path).toBe(last);

    await rm(last, { recursive: true });
    const again = testWorkbench(dataDir);
    await openStartupProject(again);
    expect((await again.currentProject())?.path).toBe(again.sampleProjectDir);
  });
});
