import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Preferences } from '../shared/api';
import { WorkbenchError } from '../shared/errors';
import { writeFileAtomic } from './fs/atomic-write';

const FILE = 'preferences.json';

/** The user's window preferences in the data folder; a missing or damaged file means the defaults. */
export async function readPreferences(dataDir: string): Promise<Preferences> {
  try {
    return checkPreferences(JSON.parse(await readFile(join(dataDir, FILE), 'utf8')));
  } catch {
    return { keys: {} };
  }
}

export async function writePreferences(dataDir: string, preferences: unknown): Promise<Preferences> {
  const checked = checkPreferences(preferences);
  await mkdir(dataDir, { recursive: true });
  await writeFileAtomic(join(dataDir, FILE), JSON.stringify(checked, null, 2) + '\n');
  return checked;
}

function checkPreferences(value: unknown): Preferences {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) throw new WorkbenchError('invalid-request', 'preferences.keys must be an object of shortcut ids to keys', { field: 'preferences.keys' });
  for (const [id, combination] of Object.entries(keys)) {
    if (typeof combination !== 'string' || combination === '' || combination.length > 40) {
      throw new WorkbenchError('invalid-request', `preferences.keys.${id} must be a key combination such as "Ctrl+K"`, { field: `preferences.keys.${id}` });
    }
  }
  const trainingJobs = (value as { trainingJobs?: unknown }).trainingJobs;
  if (trainingJobs === undefined) return { keys: keys as Record<string, string> };
  if (typeof trainingJobs !== 'number' || !Number.isInteger(trainingJobs) || trainingJobs < 1 || trainingJobs > 64) {
    throw new WorkbenchError('invalid-request', 'preferences.trainingJobs must be a whole number from 1 to 64', { field: 'preferences.trainingJobs' });
  }
  return { keys: keys as Record<string, string>, trainingJobs };
}
