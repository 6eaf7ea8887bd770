// Doyensec's Electronegativity over src/ (`npm run electronegativity` runs this file alone). A finding of
// medium severity or above fails unless answered: fixed, or marked where it is found with an
// `eng-disable` comment that says why it is a reviewed exception (see src/main/window.ts). Low findings
// are left to review. Offline: the check that looks up Electron's security releases online is left out.

import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/built-app';

const require = createRequire(import.meta.url);

/** The part of Electronegativity's programmatic result this test reads (the package has no types). */
interface Report {
  errors: { file: string; message: string; tolerable: boolean }[];
  issues: { id: string; file: string; location: { line: number; column: number }; severity: { name: string; value: number } }[];
}

const MEDIUM = 2;

describe('Electronegativity', () => {
  it('finds nothing of medium severity or above that is not answered', async () => {
    const run = require('@doyensec/electronegativity') as (options: object) => Promise<Report>;
    const { version } = require('electron/package.json') as { version: string };
    const report = await run({
      input: join(ROOT, 'src'),
      electronVersionOverride: version,
      excludeFromScan: ['availablesecurityfixesglobalcheck'],
      isRelative: true,
    });
    // A file it could not parse is a file it did not check.
    expect(report.errors.filter((error) => !error.tolerable)).toEqual([]);
    const standing = report.issues
      .filter((issue) => issue.severity.value >= MEDIUM)
      .map((issue) => `${issue.id} (${issue.severity.name}) at ${issue.file}:${issue.location.line}:${issue.location.column}`);
    expect(standing).toEqual([]);
  });
});
