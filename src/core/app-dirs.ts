import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Maskbench's per-user data folder (recent projects, the sample project). It is the folder Electron
 * calls `userData` for an app named Maskbench, so the desktop app and `maskbench serve` share it.
 * MASKBENCH_DATA_DIR overrides it, for tests and portable installs.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.MASKBENCH_DATA_DIR) return env.MASKBENCH_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Maskbench');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Maskbench');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Maskbench');
}
