import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/core/fs/atomic-write';
import { besidePath, sweepLeftovers } from '../../src/core/fs/replace';
import { defaultDataDir } from '../../src/core/app-dirs';
import { useTempDirs } from '../support/temp-dir';

describe('writeFileAtomic', () => {
  const tempDir = useTempDirs();

  it('replaces a file and leaves no temp file behind', async () => {
    const dir = await tempDir();
    const file = join(dir, 'settings.json');
    await writeFile(file, 'old');
    await writeFileAtomic(file, 'new');
    expect(await readFile(file, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['settings.json']);
  });

  it('leaves the target and no temp file when the rename fails', async () => {
    const dir = await tempDir();
    const target = join(dir, 'occupied');
    await mkdir(join(target, 'child'), { recursive: true });
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['occupied']);
  });
});

describe('sweepLeftovers', () => {
  const tempDir = useTempDirs();

  it("removes only its target's staging and set-aside entries", async () => {
    const dir = await tempDir();
    const target = join(dir, 'heads');
    const other = join(dir, 'heads-copy');
    for (const path of [target, other, besidePath(target, 'partial'), besidePath(target, 'old'), besidePath(other, 'old')]) await mkdir(path);
    await writeFile(join(dir, '.heads.notes'), 'kept');
    await sweepLeftovers(target);
    const left = (await readdir(dir)).sort();
    expect(left).toEqual([expect.stringMatching(/^\.heads-copy\.old-[0-9a-f]{8}$/), '.heads.notes', 'heads', 'heads-copy']);
  });

  it('puts back the version a writer killed between its two moves set aside, rather than removing the last whole one', async () => {
    const dir = await tempDir();
    const target = join(dir, 'heads');
    // replaceWith's first move done, its second not: the old version is aside, the new one still staged.
    const aside = besidePath(target, 'old');
    await mkdir(aside);
    await writeFile(join(aside, 'manifest.json'), 'the last whole one');
    await mkdir(besidePath(target, 'partial'));
    await sweepLeftovers(target);
    expect(await readdir(dir)).toEqual(['heads']);
    expect(await readFile(join(target, 'manifest.json'), 'utf8')).toBe('the last whole one');
  });
});

describe('defaultDataDir', () => {
  it('is the folder Electron uses as userData for Maskbench, per platform', () => {
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x' }, 'linux')).toBe('/x/Maskbench');
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toMatch(/Roaming[\\/]Maskbench$/);
    expect(defaultDataDir({}, 'darwin')).toMatch(/Library\/Application Support\/Maskbench$/);
    expect(defaultDataDir({ MASKBENCH_DATA_DIR: '/tmp/mb' }, 'linux')).toBe('/tmp/mb');
  });
});
