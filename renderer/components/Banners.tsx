/** Messages across the top of the window: the connection to Ferry, and where secrets are kept. */
import { useEffect, useState, type ReactNode } from 'react';
import { useFerry } from '../store/hooks.ts';
import { WarningIcon } from './icons.tsx';

/** One banner: a warning icon, the words, and an action if any. */
function Banner({ tone, children, action }: { tone: 'warning' | 'danger'; children: ReactNode; action?: ReactNode }) {
  return (
    <div className={`banner banner-${tone}`} role="alert">
      <WarningIcon />
      <span className="banner-text">{children}</span>
      {action}
    </div>
  );
}

function useSecondsUntil(time: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (time === null) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [time]);
  return time === null ? null : Math.max(0, Math.ceil((time - now) / 1000));
}

export function ConnectionBanner() {
  const connection = useFerry((state) => state.connection);
  const reconnectNow = useFerry((state) => state.reconnectNow);
  const seconds = useSecondsUntil(connection && connection.state !== 'open' ? connection.retryAt : null);
  if (!connection || connection.state === 'open') return null;
  if (connection.state === 'connecting' && connection.attempt === 0) return null; // the first second of a start
  const text = connection.state === 'reconnecting' ? 'Disconnected from Ferry — reconnecting' : 'Cannot reach Ferry — trying again';
  return (
    <Banner
      tone="warning"
      action={
        reconnectNow ? (
          <button type="button" className="button small" onClick={reconnectNow}>
            Reconnect now
          </button>
        ) : null
      }
    >
      <strong>{text}</strong>
      {seconds !== null && seconds > 0 ? (
        <span className="banner-detail"> (next attempt in {seconds} s)</span>
      ) : (
        <span className="banner-detail"> …</span>
      )}
    </Banner>
  );
}

/** A warning the host gives with its info (null: none): a title in bold, the host's words after it. */
function HostWarning({ tone, title, warning }: { tone: 'warning' | 'danger'; title: string; warning: string | null }) {
  if (!warning) return null;
  return (
    <Banner tone={tone}>
      <strong>{title}</strong> <span className="banner-detail">{warning}</span>
    </Banner>
  );
}

export function VaultWarning() {
  const warning = useFerry((state) => state.host?.vaultWarning ?? null);
  return <HostWarning tone="danger" title="Secrets are not well protected on this computer." warning={warning} />;
}

/** The host's control socket did not open: `ferry pause|resume|abort|retry` in a terminal cannot reach it. */
export function ControlWarning() {
  const warning = useFerry((state) => state.host?.controlWarning ?? null);
  return <HostWarning tone="warning" title="Commands from a terminal cannot reach this window." warning={warning} />;
}
