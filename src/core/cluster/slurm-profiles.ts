// Slurm profiles: what a cluster job asks for, by name. A project's slurm.json says what its runs need; the
// user's, in their data folder, says what fits their account on every project. A project's profile wins
// over the user's of the same name; 'default' is built in when neither file has one.

import { join } from 'node:path';
import { slurmProfileSchema, slurmProfilesFileSchema, type SlurmProfileInfo } from '../../shared/cluster';
import { WorkbenchError } from '../../shared/errors';
import { read } from '../../shared/schema';
import { readJsonFile } from '../fs/json-file';
import { SLURM_PROFILES_FILE, projectPaths } from '../project/layout';

/** Every profile the project can use, the project's first; a file that cannot be read is an error naming it and the field. */
export async function slurmProfiles(projectDir: string, dataDir: string): Promise<SlurmProfileInfo[]> {
  const found = new Map<string, SlurmProfileInfo>();
  // The user's first, so that the project's replace them.
  for (const file of [join(dataDir, SLURM_PROFILES_FILE), projectPaths(projectDir).slurmProfiles]) {
    const json = await readJsonFile(file);
    if (json === null) continue;
    const { profiles } = read(slurmProfilesFileSchema, json, { file, code: 'invalid-project' });
    for (const [name, profile] of Object.entries(profiles)) found.set(name, { name, profile, file });
  }
  if (!found.has('default')) found.set('default', { name: 'default', profile: read(slurmProfileSchema, {}), file: null });
  return [...found.values()].sort((a, b) => (a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name)));
}

/** The profile called `name`, or an error listing the ones there are and where they are kept. */
export async function slurmProfile(projectDir: string, dataDir: string, name: string): Promise<SlurmProfileInfo> {
  const profiles = await slurmProfiles(projectDir, dataDir);
  const profile = profiles.find((candidate) => candidate.name === name);
  if (profile) return profile;
  throw new WorkbenchError(
    'invalid-request',
    `There is no Slurm profile "${name}": there are ${profiles.map((candidate) => candidate.name).join(', ')}. Profiles are kept in ${projectPaths(projectDir).slurmProfiles} and ${join(dataDir, SLURM_PROFILES_FILE)}`,
    { field: 'profile' },
  );
}
