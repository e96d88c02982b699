// The page's side of the browser host's session (renderer/bridge/session.ts), in jsdom.
import { afterEach, describe, expect, it } from 'vitest';
import { sessionRejected, takeSessionCredential } from '../../renderer/bridge/session.ts';

afterEach(() => {
  sessionStorage.clear();
  document.head.querySelectorAll('meta[name="ferry-session"]').forEach((meta) => meta.remove());
});

function served(credential: string): void {
  const meta = document.createElement('meta');
  meta.name = 'ferry-session';
  meta.content = credential;
  document.head.append(meta);
}

describe('the session credential', () => {
  it('moves from the page the link opened into the tab’s storage, and the token leaves the address bar', () => {
    history.replaceState(null, '', '/?token=link-secret');
    served('id.secret');
    expect(takeSessionCredential(window)).toBe('id.secret');
    expect(location.search).toBe('');
    expect(document.querySelector('meta[name="ferry-session"]')).toBeNull();
    // a reload: no meta, the tab still has it
    expect(takeSessionCredential(window)).toBe('id.secret');
  });

  it('is replaced by the one a newer link brought, and forgotten when the host no longer knows it', () => {
    sessionStorage.setItem('ferry-session', 'old.one');
    served('new.one');
    expect(takeSessionCredential(window)).toBe('new.one');
    expect(document.cookie).toBe('');
    try {
      sessionRejected(window);
    } catch {
      // jsdom does not navigate
    }
    expect(takeSessionCredential(window)).toBeNull();
  });
});
