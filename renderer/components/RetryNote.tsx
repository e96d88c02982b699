/**
 * "Retrying in 8 s: cannot reach the endpoint (attempt 3)", counting down once a second while shown
 * (issue #11, defect 8: a dead server must not look like a slow upload).
 */
import { useEffect, useState } from 'react';
import { describeRetry, type JobRetry } from '../../shared/retry.ts';

/** The current time, refreshed every second while `active`. */
export function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function RetryNote({ retry, className }: { retry: JobRetry; className?: string }) {
  const now = useNow(true);
  const text = describeRetry(retry, now);
  return (
    <span className={className} title={`${text}. ${retry.error.message}`}>
      {text}
    </span>
  );
}
