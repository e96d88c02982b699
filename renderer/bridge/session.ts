/**
 * The browser host's session credential, seen from the page. The host answers a link's first use
 * with the credential in `<meta name="ferry-session">`; the page keeps it in its tab's
 * sessionStorage (it survives a reload, not a new tab) and takes the link's token out of the
 * address bar. The credential then travels only as a WebSocket subprotocol (websocketBridge.ts).
 */
const KEY = 'ferry-session';

export function takeSessionCredential(target: Window): string | null {
  const meta = target.document.querySelector<HTMLMetaElement>('meta[name="ferry-session"]');
  let storage: Storage | null;
  try {
    storage = target.sessionStorage;
  } catch {
    storage = null; // storage disabled: the credential lives as long as this page
  }
  const fresh = meta?.content || null;
  if (meta) meta.remove();
  if (fresh) storage?.setItem(KEY, fresh);
  if (new URLSearchParams(target.location.search).has('token')) target.history.replaceState(null, '', target.location.pathname);
  return fresh ?? storage?.getItem(KEY) ?? null;
}

/** The host no longer knows this page's session: forget it and show how to get a new link. */
export function sessionRejected(target: Window): void {
  try {
    target.sessionStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
  target.location.replace('/new-link');
}
