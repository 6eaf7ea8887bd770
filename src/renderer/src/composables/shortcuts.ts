// Every key the app answers to, in named groups: one window-wide handler reads them, and the `?`
// overlay lists them, so a key cannot work without being listed.

import { onBeforeUnmount, onMounted, shallowReactive } from 'vue';
import { useLayoutStore } from '../stores/layout';
import { usePreferencesStore } from '../stores/preferences';
import { useOpenProject } from './useOpenProject';

export interface Shortcut {
  /** Stable name for the action, under which the user's own keys for it are kept. */
  id: string;
  /** The default keys, as shown to the user, e.g. "Ctrl+O"; Ctrl also matches Cmd on macOS. */
  keys: string;
  description: string;
  run(): void;
}

export interface ShortcutGroup {
  name: string;
  shortcuts: () => Shortcut[];
  /** The group answers only while this holds (its view is shown). */
  active: () => boolean;
}

/** The groups in force, in the order they were registered. */
export const shortcutGroups = shallowReactive(new Map<string, ShortcutGroup>());

/** Registers a group while the calling component is mounted. */
export function useShortcutGroup(group: ShortcutGroup): void {
  onMounted(() => shortcutGroups.set(group.name, group));
  onBeforeUnmount(() => shortcutGroups.delete(group.name));
}

export function useAppShortcuts(): ShortcutGroup {
  const layout = useLayoutStore();
  const openProject = useOpenProject();
  return {
    name: 'Everywhere',
    active: () => true,
    shortcuts: () => [
      { id: 'project.open', keys: 'Ctrl+O', description: 'Open a project folder', run: () => void openProject() },
      { id: 'view.annotate', keys: 'Alt+1', description: 'Show the Annotate view', run: () => layout.show('annotate') },
      { id: 'view.dataset', keys: 'Alt+2', description: 'Show the Dataset view', run: () => layout.show('dataset') },
      { id: 'view.train', keys: 'Alt+3', description: 'Show the Train view (models, settings, runs)', run: () => layout.show('train') },
      { id: 'view.runs', keys: 'Alt+4', description: 'Show the Runs view (curves, confusion matrices, comparisons)', run: () => layout.show('runs') },
      { id: 'view.review', keys: 'Alt+5', description: 'Show the Review view (a model beside the labels, the review queue)', run: () => layout.show('review') },
      { id: 'view.diagnostics', keys: 'Alt+9', description: 'Show Diagnostics (app info, backends, test job)', run: () => layout.show('diagnostics') },
      { id: 'help', keys: '?', description: 'Show or hide this list of shortcuts', run: () => layout.toggleOverlay('help') },
      { id: 'close', keys: 'Escape', description: 'Close the open dialog, or stop drawing', run: () => layout.closeOverlay() },
    ],
  };
}

/** The key's name as shortcuts write it: "Space" rather than " ". */
function keyName(event: KeyboardEvent): string {
  return event.key === ' ' ? 'Space' : event.key;
}

/** The combination a key press makes, in the form shortcuts use ("Ctrl+Shift+Z", "Alt+1", "?"); null for a lone modifier. */
export function combinationOf(event: KeyboardEvent): string | null {
  const key = keyName(event);
  if (['Control', 'Meta', 'Alt', 'Shift'].includes(key)) return null;
  const digit = /^Digit(\d)$/.exec(event.code)?.[1];
  const letter = event.altKey ? /^Key([A-Z])$/.exec(event.code)?.[1] : undefined;
  const main = digit ?? letter ?? (key.length === 1 ? key.toUpperCase() : key);
  // Shift is part of a printable symbol like "?", so it is named only for letters, digits and named keys.
  const shiftCounts = digit !== undefined || /^[A-Z]$/.test(main) || main.length > 1;
  return [event.ctrlKey || event.metaKey ? 'Ctrl' : '', event.altKey ? 'Alt' : '', event.shiftKey && shiftCounts ? 'Shift' : '', main]
    .filter(Boolean)
    .join('+');
}

/** Whether `event` is the key combination `keys` ("Ctrl+Shift+Z", "Alt+1", "?", "Escape"). */
export function matchesKeys(keys: string, event: KeyboardEvent): boolean {
  const parts = keys.split('+');
  const key = parts.pop() || '+';
  const wantCtrl = parts.includes('Ctrl');
  const wantAlt = parts.includes('Alt');
  const wantShift = parts.includes('Shift');
  if ((event.ctrlKey || event.metaKey) !== wantCtrl || event.altKey !== wantAlt) return false;
  // Alt+digit types other characters on some layouts: compare the physical key for digits.
  if (/^\d$/.test(key)) return event.shiftKey === wantShift && event.code === `Digit${key}`;
  // Shift is part of printable keys like "?", so it only counts for named and letter keys.
  // With Alt, macOS types another character (Option+M is "µ"): compare the physical key for letters.
  if (wantAlt && /^[a-z]$/i.test(key)) return event.shiftKey === wantShift && event.code === `Key${key.toUpperCase()}`;
  if (key.length > 1 || /^[a-z]$/i.test(key)) return event.shiftKey === wantShift && keyName(event).toLowerCase() === key.toLowerCase();
  return event.key === key;
}

/** The keys a shortcut answers to: the user's own, or its default. */
export function effectiveKeys(shortcut: Shortcut, overrides: Record<string, string>): string {
  return overrides[shortcut.id] ?? shortcut.keys;
}

/** The one window-wide key handler, for the app's lifetime. */
export function useShortcutHandler(): void {
  const preferences = usePreferencesStore();
  const onKeyDown = (event: KeyboardEvent) => {
    if (preferences.capturing) return;
    const typing = event.target instanceof HTMLElement && event.target.closest('input, textarea, select, [contenteditable]');
    if (typing && event.key !== 'Escape') return;
    for (const group of [...shortcutGroups.values()].reverse()) {
      if (!group.active()) continue;
      const shortcut = group.shortcuts().find((candidate) => matchesKeys(effectiveKeys(candidate, preferences.keys), event));
      if (!shortcut) continue;
      event.preventDefault();
      shortcut.run();
      return;
    }
  };
  onMounted(() => window.addEventListener('keydown', onKeyDown));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKeyDown));
}
