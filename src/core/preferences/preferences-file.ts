import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { preferencesSchema, type Preferences } from '../../shared/preferences';
import { read } from '../../shared/schema';
import { readJsonFile, writeJsonFile } from '../fs/json-file';

const FILE = 'preferences.json';

/** The user's window preferences in the data folder; a missing file means the defaults, a damaged one too (said once on the console). */
export async function readPreferences(dataDir: string): Promise<Preferences> {
  try {
    return read(preferencesSchema, (await readJsonFile(join(dataDir, FILE))) ?? {}, { file: join(dataDir, FILE) });
  } catch (error) {
    console.warn('The preferences cannot be used; the defaults apply:', error instanceof Error ? error.message : error);
    return read(preferencesSchema, {});
  }
}

/** Writes preferences already checked against their declaration. */
export async function writePreferences(dataDir: string, preferences: Preferences): Promise<Preferences> {
  await mkdir(dataDir, { recursive: true });
  await writeJsonFile(join(dataDir, FILE), preferences);
  return preferences;
}
