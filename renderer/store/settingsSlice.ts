/** Settings the engine keeps (resume on launch, theme, transfers, notifications…) and what the host is. */
import type { HostInfo, Settings } from '../../shared/contract.ts';
import type { NotificationPermissionState } from '../notify/notifications.ts';
import type { SliceCreator } from './store.ts';

export interface SettingsSlice {
  settings: Settings;
  /** Null until the first snapshot. */
  host: HostInfo | null;

  applySettings(settings: Settings): void;
  setHost(host: HostInfo): void;
  /** Saves a change; the engine answers with the settings as stored. */
  changeSettings(patch: Partial<Settings>): Promise<void>;
  /** What the browser allows this page (browser host): notifications need its permission. */
  notificationPermission: NotificationPermissionState;
  /**
   * "Notify me when uploads finish": in the browser host, turning it on asks the browser's
   * permission first (call it from the click) and says so when the browser refuses.
   */
  setNotifyOnFinish(on: boolean): Promise<void>;
}

export const createSettingsSlice: SliceCreator<SettingsSlice> = (deps) => (set, get) => {
  /** Counts changes, so that only the newest one's answer (or failure) sets what the window holds. */
  let changes = 0;
  return {
    settings: { resumeOnLaunch: true, theme: 'system' },
    host: null,
    notificationPermission: deps.notifications.permission(),

    applySettings(settings) {
      set({ settings });
    },

    setHost(host) {
      set({ host });
    },

    async changeSettings(patch) {
      const before = get().settings;
      const mine = ++changes;
      set({ settings: { ...before, ...patch } }); // at once, so that a checkbox or theme follows the click
      try {
        const answer = await deps.api.setSettings(patch);
        // an older answer, late, would undo a change made meanwhile (a prefix typed, then another
        // endpoint chosen: the next change is made from what the window holds); the newest answer has all
        if (mine === changes) set({ settings: answer });
      } catch (error) {
        if (mine === changes) set({ settings: before });
        get().reportError('Could not save the settings', error);
      }
    },

    async setNotifyOnFinish(on) {
      if (on && get().host?.kind === 'browser') {
        const permission = deps.notifications.permission() === 'granted' ? 'granted' : await deps.notifications.requestPermission();
        set({ notificationPermission: permission });
        if (permission !== 'granted') {
          get().notify(
            'error',
            'Notifications are not allowed',
            permission === 'unsupported'
              ? 'This browser cannot show notifications.'
              : 'The browser blocks notifications for this page: allow them in its site settings, then tick the box again.',
          );
          return;
        }
      }
      await get().changeSettings({ notifyOnFinish: on });
    },
  };
};
