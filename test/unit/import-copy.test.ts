// The copy of an imported file kept in imports/ is made whole or not at all.

import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { importIntoProject } from '../../src/core/project/import-into-project';
import { useTempDirs } from '../support/temp-dir';

describe('the kept copy of an import', () => {
  const tempDir = useTempDirs();

  it('appears only complete, and what a crash left half-copied is swept by the next import', async () => {
    const project = await tempDir();
    await cp(inject('sampleProject'), project, { recursive: true });
    const source = join(project, 'annotations', 'cvat-video.xml');
    // What a kill during an earlier copy leaves: a hidden staging entry, never a visible cut-short file.
    await mkdir(join(project, 'imports'), { recursive: true });
    await writeFile(join(project, 'imports', '.2026-01-01T00-00-00-000Z-cvat-video.xml.partial-0123abcd'), '<annot');
    const report = await importIntoProject(project, source, { force: true });
    expect(await readdir(join(project, 'imports'))).toEqual([report.original.split('/').pop()]);
    expect(await readFile(report.original, 'utf8')).toBe(await readFile(source, 'utf8'));
  });
});
