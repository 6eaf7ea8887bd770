import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/core/fs/atomic-write';
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

describe('defaultDataDir', () => {
  it('is the folder Electron uses as userData for Maskbench, per platform', () => {
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x' }, 'linux')).toBe('/x/Maskbench');
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toMatch(/Roaming[\\/]Maskbench$/);
    expect(defaultDataDir({}, 'darwin')).toMatch(/Library\/Application Support\/Maskbench$/);
    expect(defaultDataDir({ MASKBENCH_DATA_DIR: '/tmp/mb' }, 'linux')).toBe('/tmp/mb');
  });
});
