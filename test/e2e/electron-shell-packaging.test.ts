// The packaged app's Electron fuses, read the way electron-builder reads build/electron-builder.yml (its
// own loader, and its schema, which refuses a misspelt fuse), since packaging cannot run here.

import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/built-app';

describe('the packaging config', () => {
  it('flips the fuses that keep the packaged app from being run as Node or from files beside its archive', async () => {
    const config = await getConfig(ROOT, join(ROOT, 'build/electron-builder.yml'), null);
    await validateConfiguration(config, new DebugLogger(false));
    // OnlyLoadAppFromAsar needs the app in an asar archive (electron-builder's default).
    expect(config.asar).not.toBe(false);
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      grantFileProtocolExtraPrivileges: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });
});
