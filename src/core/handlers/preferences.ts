// The user's window preferences, kept in the data folder.

import { readPreferences, writePreferences } from '../preferences/preferences-file';
import type { CoreContext, Handlers } from './context';

export function preferenceHandlers({ dataDir, setTrainingJobs }: CoreContext): Handlers<'preferences' | 'savePreferences'> {
  return {
    preferences: async () => readPreferences(dataDir),
    savePreferences: async ({ preferences }) => {
      const saved = await writePreferences(dataDir, preferences);
      setTrainingJobs(saved.trainingJobs);
      return saved;
    },
  };
}
