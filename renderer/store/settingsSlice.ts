/** Settings the engine keeps (resume on launch, theme) and what the host is. */
import type { HostInfo, Settings } from '../../shared/contract.ts';
import type { SliceCreator } from './store.ts';

export interface SettingsSlice {
  settings: Settings;
  /** Null until the first snapshot. */
  host: HostInfo | null;

  applySettings(settings: Settings): void;
  setHost(host: HostInfo): void;
  /** Saves a change; the engine answers with the settings as stored. */
  changeSettings(patch: Partial<Settings>): Promise<void>;
}

export const createSettingsSlice: SliceCreator<SettingsSlice> = (deps) => (set, get) => ({
  settings: { resumeOnLaunch: true, theme: 'system' },
  host: null,

  applySettings(settings) {
    set({ settings });
  },

  setHost(host) {
    set({ host });
  },

  async changeSettings(patch) {
    const before = get().settings;
    set({ settings: { ...before, ...patch } }); // at once, so that a checkbox or theme follows the click
    try {
      set({ settings: await deps.api.setSettings(patch) });
    } catch (error) {
      set({ settings: before });
      get().reportError('Could not save the settings', error);
    }
  },
});
