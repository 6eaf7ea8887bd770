// The user's choices for the window, kept in the data folder (shared by the desktop app and browser mode).

import { fields, v, whole, type Output } from './schema';

const keyCombination = v.pipe(
  v.string('a key combination such as "Ctrl+K"'),
  v.minLength(1, 'a key combination such as "Ctrl+K"'),
  v.maxLength(40, 'a key combination of at most 40 characters'),
);

export const preferencesSchema = fields({
  /** Shortcut id to the keys the user chose instead of its default, e.g. { "frame.next": "Ctrl+Right" }. */
  keys: v.optional(v.record(v.string(), keyCombination, 'an object of shortcut ids to keys'), {}),
  /** Training jobs run at once; absent means one per core on the CPU, one when tfjs-node (GPU or CPU) is installed. */
  trainingJobs: v.optional(whole(1, 64)),
});

export type Preferences = Output<typeof preferencesSchema>;
