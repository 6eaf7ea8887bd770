// `maskbench serve --root DIR`: the browser may open projects only inside the given folders, judged
// after resolving symlinks, so a link inside a root cannot lead out of it.

import { cp, mkdir, readdir, realpath, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { useTempDirs } from '../support/temp-dir';
import { testWorkbench } from '../support/workbench';

describe('browser mode limited to --root folders', () => {
  const tempDir = useTempDirs();

  async function setup() {
    const root = await realpath(await tempDir());
    const outside = await realpath(await tempDir());
    await mkdir(join(root, 'study'));
    await mkdir(join(outside, 'elsewhere'));
    const workbench = testWorkbench(await tempDir(), { kind: 'browser', roots: [root] });
    return { root, outside, workbench };
  }

  it('opens a folder inside a root', async () => {
    const { root, workbench } = await setup();
    expect(await workbench.openProject({ path: join(root, 'study') })).toMatchObject({ path: join(root, 'study') });
  });

  it('refuses a folder outside the roots with forbidden-path, naming the path', async () => {
    const { root, outside, workbench } = await setup();
    // The second climbs out of the root by name: join() would tidy its `..` away, so it is written out.
    for (const path of [join(outside, 'elsewhere'), `${root}/../${basename(outside)}/elsewhere`]) {
      const refusal = workbench.openProject({ path });
      await expect(refusal).rejects.toMatchObject({ code: 'forbidden-path', where: { field: 'path' } });
      await expect(refusal).rejects.toThrow(path);
    }
    expect(await workbench.currentProject()).toBeNull();
  });

  it('refuses a symlink inside a root that points outside it', async () => {
    const { root, outside, workbench } = await setup();
    const link = join(root, 'link');
    await symlink(join(outside, 'elsewhere'), link);
    await expect(workbench.openProject({ path: link })).rejects.toMatchObject({ code: 'forbidden-path', message: expect.stringContaining(link) as string });
    await symlink(outside, join(root, 'up'));
    await expect(workbench.openProject({ path: join(root, 'up', 'elsewhere') })).rejects.toMatchObject({ code: 'forbidden-path' });
    expect(await workbench.currentProject()).toBeNull();
  });

  it('still lets the host open a folder it was given (maskbench serve --project)', async () => {
    const { outside, workbench } = await setup();
    expect(await workbench.openProjectFromHost(join(outside, 'elsewhere'))).toMatchObject({ path: join(outside, 'elsewhere') });
  });

  it('refuses to import from or export to a path outside the roots, as it refuses to open one', async () => {
    const { root, outside, workbench } = await setup();
    await cp(inject('sampleProject'), join(root, 'study'), { recursive: true });
    await workbench.openProject({ path: join(root, 'study') });
    await expect(workbench.importAnnotations({ source: join(outside, 'elsewhere', 'x.xml'), replace: true })).rejects.toMatchObject({
      code: 'forbidden-path',
      where: { field: 'source' },
    });
    await expect(workbench.exportAnnotations({ format: 'cvat-video', out: join(outside, 'out.xml') })).rejects.toMatchObject({
      code: 'forbidden-path',
      where: { field: 'out' },
    });
    expect(await readdir(outside)).toEqual(['elsewhere']);
    expect(await workbench.exportAnnotations({ format: 'cvat-video', out: join(root, 'out.xml') })).toMatchObject({ out: join(root, 'out.xml') });
  });
});
