// A way in for a new video: a project made around a video or a folder of frames (copied in or referenced
// where it is), media set or relinked later, `~` in typed paths, and Recent kept for projects.

import { copyFile, cp, mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { expandHome } from '../../src/core/session/session';
import { samplePaths } from '../../src/core/project/layout';
import type { ProjectSettings } from '../../src/shared/project';
import { unpackAnnotations } from '../../src/shared/packed-annotations';
import { useTempDirs } from '../support/temp-dir';
import { testWorkbench } from '../support/workbench';

const tempDir = useTempDirs();
const sample = samplePaths(inject('sampleProject'));
const settingsOf = async (folder: string) => JSON.parse(await readFile(join(folder, 'project.json'), 'utf8')) as ProjectSettings;

describe('a new project around a video or a folder of frames', () => {
  it('references a video where it is, by a path relative to the folder, and opens with empty annotations ready to draw on', async () => {
    const root = await tempDir();
    const video = join(root, 'videos', 'campus.mp4');
    await mkdir(join(root, 'videos'));
    await copyFile(sample.video, video);
    const workbench = testWorkbench(join(root, 'data'));
    const project = await workbench.createProject({ folder: join(root, 'studies', 'campus'), media: video, keep: 'reference' });
    expect(project.settings?.media).toMatchObject({ kind: 'video', path: '../../videos/campus.mp4', frameCount: 160, width: 640, height: 360 });
    expect(project.missingMedia).toBeNull();
    expect(unpackAnnotations((await workbench.annotations())!)).toMatchObject({ frameCount: 160, width: 640, height: 360, tracks: [] });
    // Ready to draw on: a box becomes a track at once.
    const drawn = await workbench.editAnnotations({
      edit: { type: 'create-track', frame: 3, to: 10, box: { xtl: 10, ytl: 10, xbr: 40, ybr: 90 }, label: 'NM' },
    });
    expect(drawn.tracks).toHaveLength(1);
    // The video outside the project is served to the window; nothing else beside it is.
    await expect(workbench.mediaRoots.resolve(video)).resolves.toBe(video);
    await writeFile(join(root, 'videos', 'notes.txt'), 'private');
    await expect(workbench.mediaRoots.resolve(join(root, 'videos', 'notes.txt'))).rejects.toMatchObject({ code: 'forbidden-path' });
    await workbench.shutdown();
  });

  it('copies a folder of frames into the project when asked, and refuses a folder that is a project already', async () => {
    const root = await tempDir();
    const folder = join(root, 'frames-project');
    const workbench = testWorkbench(join(root, 'data'));
    const project = await workbench.createProject({ folder, media: sample.frames, keep: 'copy' });
    expect(project.settings?.media).toMatchObject({ kind: 'frames', path: 'frames', frameCount: 160 });
    expect((await workbench.annotations())?.frameNames).toHaveLength(160);
    await expect(workbench.createProject({ folder, media: sample.video, keep: 'copy' })).rejects.toMatchObject({
      code: 'already-exists',
      where: { field: 'folder', file: join(folder, 'project.json') },
    });
    await workbench.shutdown();
  });

  it('says which field is wrong when the media is not there or is no video', async () => {
    const root = await tempDir();
    const workbench = testWorkbench(join(root, 'data'));
    await writeFile(join(root, 'not-a-video.mp4'), 'hello');
    for (const media of [join(root, 'missing.mp4'), join(root, 'not-a-video.mp4')])
      await expect(workbench.createProject({ folder: join(root, 'p'), media, keep: 'reference' })).rejects.toMatchObject({ where: { field: 'media' } });
    // Nothing is left behind.
    expect(await readdir(root)).toEqual(['not-a-video.mp4']);
    await workbench.shutdown();
  });
});

describe('setting and relinking a project’s media', () => {
  it('says the media is missing on open, and relinks it when given one with as many frames as the annotations', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'videos'));
    const video = join(root, 'videos', 'campus.mp4');
    await copyFile(sample.video, video);
    const workbench = testWorkbench(join(root, 'data'));
    const folder = join(root, 'campus');
    await workbench.createProject({ folder, media: video, keep: 'reference' });
    await workbench.editAnnotations({ edit: { type: 'create-track', frame: 0, box: { xtl: 10, ytl: 10, xbr: 40, ybr: 90 }, label: 'MW' } });

    // The video moves: the project still opens, and says where it looked.
    const moved = join(root, 'archive', 'campus-2026.mp4');
    await mkdir(join(root, 'archive'));
    await rename(video, moved);
    const reopened = await workbench.openProject({ path: folder });
    expect(reopened.missingMedia).toBe(video);

    // Relinked: the annotations are kept, the path is relative again.
    const relinked = await workbench.setMedia({ media: moved, keep: 'reference' });
    expect([relinked.missingMedia, relinked.settings?.media?.path]).toEqual([null, relative(folder, moved)]);
    expect(unpackAnnotations((await workbench.annotations())!).tracks).toHaveLength(1);

    // Media with another frame count is not what the annotations were made on.
    const shorter = join(root, 'short-frames');
    await mkdir(shorter);
    for (const name of (await readdir(sample.frames)).slice(0, 3)) await copyFile(join(sample.frames, name), join(shorter, name));
    await expect(workbench.setMedia({ media: shorter, keep: 'reference' })).rejects.toMatchObject({
      where: { field: 'media', file: shorter },
      message: expect.stringContaining("but the project's annotations have 160"),
    });
    expect((await settingsOf(folder)).media?.path).toBe(relative(folder, moved));
    await workbench.shutdown();
  });

  it('relinks a folder of frames only to the same files, by name', async () => {
    const root = await tempDir();
    const frames = join(root, 'frames');
    await cp(sample.frames, frames, { recursive: true });
    const workbench = testWorkbench(join(root, 'data'));
    await workbench.createProject({ folder: join(root, 'p'), media: frames, keep: 'reference' });
    const names = await readdir(frames);
    const renamed = join(root, 'renamed');
    await cp(frames, renamed, { recursive: true });
    await rename(join(renamed, names[0]!), join(renamed, `z-${names[0]}`));
    await expect(workbench.setMedia({ media: renamed, keep: 'reference' })).rejects.toMatchObject({
      where: { field: 'media', file: renamed },
      message: expect.stringContaining(`as frame 0, where the annotations have ${names[0]}`),
    });
    expect((await workbench.setMedia({ media: frames, keep: 'reference' })).settings?.media?.path).toBe('../frames');
    await workbench.shutdown();
  });

  it('sets the media of a folder that has none, and keeps plain folders out of Recent until they are projects', async () => {
    const root = await tempDir();
    const folder = join(root, 'plain');
    await mkdir(folder);
    const workbench = testWorkbench(join(root, 'data'));
    await workbench.openProject({ path: folder });
    expect(await workbench.recentProjects()).toEqual([]);
    const project = await workbench.setMedia({ media: sample.video, keep: 'copy' });
    expect(project.settings?.media).toMatchObject({ kind: 'video', path: 'walkway.mp4' });
    expect((await workbench.recentProjects()).map((entry) => entry.path)).toEqual([project.path]);
    await workbench.shutdown();
  });
});

describe('typed paths', () => {
  it('read ~ as the home folder, as a shell does', () => {
    expect(expandHome('~')).toBe(homedir());
    expect(expandHome('~/studies/walkway')).toBe(join(homedir(), 'studies', 'walkway'));
    expect(expandHome(' /data/x ')).toBe('/data/x');
    expect(expandHome('~other/x')).toMatch(/~other\/x$/);
  });
});
