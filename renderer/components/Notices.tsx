/**
 * Notices in the corner: a command's error in words (15 s, and as long as the pointer or the focus is
 * on it) or a short piece of news (6 s).
 */
import { useEffect, useState } from 'react';
import { useActions, useFerry } from '../store/hooks.ts';
import type { Notice } from '../store/uiSlice.ts';
import { CheckIcon, CloseIcon, WarningIcon } from './icons.tsx';

const INFO_MS = 6000;
/** An error stays longer, and not while the pointer or the focus is on it (to read or copy it). */
export const ERROR_MS = 15000;

function NoticeCard({ notice }: { notice: Notice }) {
  const actions = useActions();
  const [held, setHeld] = useState(false);
  useEffect(() => {
    if (held) return;
    const timer = setTimeout(() => actions.dismissNotice(notice.id), notice.tone === 'info' ? INFO_MS : ERROR_MS);
    return () => clearTimeout(timer);
  }, [notice, actions, held]);
  return (
    <div
      className={`notice notice-${notice.tone}`}
      role={notice.tone === 'error' ? 'alert' : 'status'}
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
    >
      {notice.tone === 'error' ? <WarningIcon className="notice-icon" /> : <CheckIcon className="notice-icon" />}
      <div className="notice-text">
        <div className="notice-title">{notice.title}</div>
        {notice.detail ? <div className="notice-detail">{notice.detail}</div> : null}
      </div>
      <button type="button" className="icon-button" aria-label="Dismiss" title="Dismiss" onClick={() => actions.dismissNotice(notice.id)}>
        <CloseIcon />
      </button>
    </div>
  );
}

export function Notices() {
  const notices = useFerry((state) => state.notices);
  return (
    <section className="notices" aria-label="Notifications">
      {notices.map((notice) => (
        <NoticeCard key={notice.id} notice={notice} />
      ))}
    </section>
  );
}
