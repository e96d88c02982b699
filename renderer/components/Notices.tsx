/** Notices in the corner: a command's error in words (stays until dismissed) or a short piece of news. */
import { useEffect } from 'react';
import { useActions, useFerry } from '../store/hooks.ts';
import type { Notice } from '../store/uiSlice.ts';
import { CheckIcon, CloseIcon, WarningIcon } from './icons.tsx';

const INFO_MS = 6000;

function NoticeCard({ notice }: { notice: Notice }) {
  const actions = useActions();
  useEffect(() => {
    if (notice.tone !== 'info') return;
    const timer = setTimeout(() => actions.dismissNotice(notice.id), INFO_MS);
    return () => clearTimeout(timer);
  }, [notice, actions]);
  return (
    <div className={`notice notice-${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'}>
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
    <div className="notices" aria-label="Notifications">
      {notices.map((notice) => (
        <NoticeCard key={notice.id} notice={notice} />
      ))}
    </div>
  );
}
