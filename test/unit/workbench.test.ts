import { mkdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkbenchEvent } from '../../src/shared/api';
import packageJson from '../../package.json';
import type { HostServices } from '../../src/core/workbench';
import { PROJECT_FILE } from '../../src/core/project/layout';
import { DEFAULT_LABELS } from '../../src/shared/project';
import { useTempDirs } from '../support/temp-dir';
import { testWorkbench } from '../support/workbench';

describe('Workbench', () => {
  const tempDir = useTempDirs();
  const make = async (host: HostServices = { kind: 'browser' }) => testWorkbench(await tempDir(), host);
  /** A folder with a project.json (no media yet): only projects go into Recent. */
  const projectDir = async () => {
    const folder = await tempDir();
    await writeFile(join(folder, PROJECT_FILE), JSON.stringify({ schema: 1, name: 'walkway', labels: DEFAULT_LABELS }));
    return folder;
  };

  it("reports its version, host and the training backends: a worker's in order of preference, then the compute page's", async () => {
    const info = await (await make()).appInfo();
    expect(info.version).toBe(packageJson.version);
    expect(info).toMatchObject({ host: 'browser', nativeDialogs: false, platform: process.platform });
    expect(info.backends.map((backend) => backend.name)).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu', 'webgpu', 'webgl']);
    // No compute page is open, and browser mode cannot open one itself.
    expect(info.backends.filter((backend) => backend.usesGpu && backend.name.startsWith('web')).map((backend) => backend.available)).toEqual([false, false]);
  });

  it('opens a project folder, announces it, and remembers it first among recent projects', async () => {
    const workbench = await make();
    const events: WorkbenchEvent[] = [];
    workbench.onEvent((event) => events.push(event));
    const first = await projectDir();
    const second = await projectDir();
    await workbench.openProject({ path: first });
    const opened = await workbench.openProject({ path: second });
    expect(opened).toMatchObject({ path: await realpath(second), name: 'walkway', settings: { media: null }, missingMedia: null, editingProxy: null });
    expect(await workbench.currentProject()).toEqual(opened);
    expect(events.at(-1)).toEqual({ type: 'project-opened', project: opened });
    await workbench.openProject({ path: first });
    expect((await workbench.recentProjects()).map((entry) => entry.path)).toEqual([await realpath(first), await realpath(second)]);
  });

  it('marks a recent project whose folder is gone, and keeps recents across restarts', async () => {
    const dataDir = await tempDir();
    const folder = await projectDir();
    await testWorkbench(dataDir).openProject({ path: folder });
    await rm(folder, { recursive: true });
    const recents = await testWorkbench(dataDir).recentProjects();
    expect(recents).toEqual([expect.objectContaining({ path: folder, exists: false })]);
  });

  it('starts with no recents when the recents file is damaged, and repairs it on the next open', async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, 'recent-projects.json'), '{ not json');
    const workbench = testWorkbench(dataDir);
    expect(await workbench.recentProjects()).toEqual([]);
    await workbench.openProject({ path: await projectDir() });
    expect(await workbench.recentProjects()).toHaveLength(1);
  });

  it('refuses a missing folder and a file, naming the path', async () => {
    const workbench = await make();
    const dir = await tempDir();
    await expect(workbench.openProject({ path: join(dir, 'missing') })).rejects.toMatchObject({ code: 'not-found', where: { file: join(dir, 'missing') } });
    await writeFile(join(dir, 'video.mp4'), 'x');
    await expect(workbench.openProject({ path: join(dir, 'video.mp4') })).rejects.toMatchObject({ code: 'not-a-directory' });
    expect(await workbench.currentProject()).toBeNull();
  });

  it('serves media only from the open project: the previous project stops being a root', async () => {
    const workbench = await make();
    const first = await realpath(await tempDir());
    const second = await realpath(await tempDir());
    await writeFile(join(first, 'a.txt'), 'a');
    await workbench.openProject({ path: first });
    expect(await workbench.mediaRoots.resolve(join(first, 'a.txt'))).toBe(join(first, 'a.txt'));
    await workbench.openProject({ path: second });
    await expect(workbench.mediaRoots.resolve(join(first, 'a.txt'))).rejects.toMatchObject({ code: 'forbidden-path' });
  });

  it('opens the folder chosen in the host dialog, and nothing when the user cancels', async () => {
    const folder = await tempDir();
    const answers = [folder, null];
    const workbench = await make({ kind: 'electron', chooseFolder: async () => answers.shift() ?? null });
    expect((await workbench.appInfo()).nativeDialogs).toBe(true);
    expect(await workbench.chooseProjectFolder()).toMatchObject({ path: await realpath(folder) });
    expect(await workbench.chooseProjectFolder()).toBeNull();
  });

  it('opens a project even when the recent list cannot be written', async () => {
    const dataDir = join(await tempDir(), 'not-a-folder');
    await writeFile(dataDir, 'x');
    const workbench = testWorkbench(dataDir);
    const folder = await tempDir();
    expect((await workbench.openProject({ path: folder })).path).toBe(await realpath(folder));
    expect((await workbench.currentProject())?.path).toBe(await realpath(folder));
  });

  it('in the desktop app, opens only folders from the dialog, the recent list or the sample', async () => {
    const chosen = await tempDir();
    const workbench = await make({ kind: 'electron', chooseFolder: async () => chosen });
    const typed = await tempDir();
    await expect(workbench.openProject({ path: typed })).rejects.toMatchObject({ code: 'forbidden-path', where: { field: 'path' } });
    await workbench.chooseProjectFolder();
    await workbench.openProjectFromHost(typed);
    // Both are now recent, so the window may reopen them by path.
    expect((await workbench.openProject({ path: chosen })).path).toBe(await realpath(chosen));
  });

  it('never takes the disk’s root or the home folder as a project', async () => {
    const workbench = await make();
    await expect(workbench.openProject({ path: '/' })).rejects.toMatchObject({ code: 'forbidden-path' });
    await expect(workbench.openProject({ path: homedir() })).rejects.toMatchObject({ code: 'forbidden-path' });
  });

  it('keeps the user’s key bindings in the data folder, refusing malformed ones by field', async () => {
    const dataDir = await tempDir();
    const workbench = testWorkbench(dataDir);
    expect(await workbench.preferences()).toEqual({ keys: {} });
    await workbench.savePreferences({ preferences: { keys: { 'frame.next': 'ArrowRight' } } });
    expect(await testWorkbench(dataDir).preferences()).toEqual({ keys: { 'frame.next': 'ArrowRight' } });
    await expect(workbench.savePreferences({ preferences: { keys: { 'frame.next': 7 as unknown as string } } })).rejects.toMatchObject({
      code: 'invalid-request',
      where: { field: 'preferences.keys.frame.next' },
    });
  });

  it('says a browser host has no folder dialog', async () => {
    await expect((await make()).chooseProjectFolder()).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('keeps recents in a plain JSON file in the data folder', async () => {
    const dataDir = await tempDir();
    const folder = await tempDir();
    await mkdir(join(folder, 'sub'));
    await writeFile(join(folder, 'sub', PROJECT_FILE), JSON.stringify({ schema: 1, name: 'sub', labels: DEFAULT_LABELS }));
    await symlink(join(folder, 'sub'), join(folder, 'link'));
    await testWorkbench(dataDir).openProject({ path: join(folder, 'link') });
    const stored = JSON.parse(await readFile(join(dataDir, 'recent-projects.json'), 'utf8'));
    expect(stored).toMatchObject({ version: 1, projects: [{ path: join(await realpath(folder), 'sub'), name: 'sub' }] });
  });
});
