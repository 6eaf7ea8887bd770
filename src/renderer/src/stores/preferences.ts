import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useApi } from '../api/client';

/** The user's own key bindings, kept by the core in the data folder. */
export const usePreferencesStore = defineStore('preferences', () => {
  const keys = ref<Record<string, string>>({});
  /** The id of the shortcut waiting for its new keys (the ? overlay); no shortcut runs meanwhile. */
  const capturing = ref<string | null>(null);

  async function load(): Promise<void> {
    keys.value = (await useApi().preferences()).keys;
  }

  async function bind(id: string, combination: string | null): Promise<void> {
    const next = { ...keys.value };
    if (combination === null) delete next[id];
    else next[id] = combination;
    keys.value = (await useApi().savePreferences({ preferences: { keys: next } })).keys;
  }

  return { keys, capturing, load, bind };
});
