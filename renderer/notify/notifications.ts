/**
 * The browser's Notification API behind a small interface (issue #13): the browser host tells the
 * user when a batch of uploads finishes, as the desktop app does from its main process. Permission
 * is asked only from a click (Settings' checkbox): browsers ignore or penalise a request made
 * without a user gesture.
 */
export type NotificationPermissionState = NotificationPermission | 'unsupported';

export interface PageNotifications {
  permission(): NotificationPermissionState;
  /** Asks the browser (call it from a click); answers the permission afterwards. */
  requestPermission(): Promise<NotificationPermissionState>;
  /** Shows a notification when permitted; a click on it brings the window to the front. */
  show(title: string, body: string): void;
}

/** The page's Notification API, or one that says 'unsupported' where there is none. */
export function pageNotifications(scope: { Notification?: typeof Notification; focus?: () => void } = globalThis): PageNotifications {
  const api = scope.Notification;
  if (typeof api !== 'function') {
    return { permission: () => 'unsupported', requestPermission: async () => 'unsupported', show: () => {} };
  }
  return {
    permission: () => api.permission,
    async requestPermission() {
      try {
        return await api.requestPermission();
      } catch {
        return api.permission;
      }
    },
    show(title, body) {
      if (api.permission !== 'granted') return;
      try {
        const notification = new api(title, { body, tag: 'ferry-batch' });
        notification.onclick = () => scope.focus?.();
      } catch {
        // some browsers allow notifications only from a service worker: nothing to show then
      }
    },
  };
}
