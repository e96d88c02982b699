/**
 * The bandwidth limit as a quick control in the summary bar (issue #12): off, 1, 5, 10, 50 MiB/s or
 * a custom rate. The same setting as Settings' field: it applies at once, to running uploads too.
 */
import { useState } from 'react';
import { parseRate } from '../../shared/uploadOptions.ts';
import { formatSpeed } from '../format.ts';
import { useActions, useFerry } from '../store/hooks.ts';

const MiB = 1024 * 1024;
/** The limits offered, in MiB/s. */
const PRESETS = [1, 5, 10, 50] as const;

export function BandwidthMenu() {
  const limit = useFerry((state) => state.settings.bandwidthLimit ?? null);
  const actions = useActions();
  /** The custom rate being typed, or null while the menu shows. */
  const [custom, setCustom] = useState<string | null>(null);
  const isPreset = limit !== null && (PRESETS as readonly number[]).includes(limit / MiB);
  const value = limit === null ? 'off' : isPreset ? String(limit) : 'current';
  const rate = custom === null ? null : parseRate(custom);
  const problem = custom !== null && custom.trim() !== '' && rate === null ? 'A rate such as 20MiB/s or 500KB/s' : null;

  function apply(next: number | null) {
    setCustom(null);
    if (next !== limit) void actions.changeSettings({ bandwidthLimit: next });
  }

  return (
    <span className="summary-item bandwidth-menu" title="Bandwidth limit across all uploads; applies at once">
      <span className="summary-label">Limit</span>{' '}
      {custom === null ? (
        <select
          className="field bandwidth-select"
          aria-label="Bandwidth limit"
          value={value}
          onChange={(event) => {
            const chosen = event.target.value;
            if (chosen === 'custom') setCustom('');
            else if (chosen === 'off') apply(null);
            else if (chosen !== 'current') apply(Number(chosen));
          }}
        >
          <option value="off">off</option>
          {PRESETS.map((n) => (
            <option key={n} value={String(n * MiB)}>
              {n} MiB/s
            </option>
          ))}
          {value === 'current' ? <option value="current">{formatSpeed(limit ?? 0)}</option> : null}
          <option value="custom">custom…</option>
        </select>
      ) : (
        <span className="bandwidth-custom">
          <input
            className={`field${problem ? ' invalid' : ''}`}
            aria-label="Custom bandwidth limit"
            aria-invalid={problem !== null}
            placeholder="e.g. 20MiB/s"
            value={custom}
            autoFocus
            onChange={(event) => setCustom(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && rate !== null) apply(rate);
              else if (event.key === 'Escape') {
                event.stopPropagation();
                setCustom(null);
              }
            }}
          />
          <button type="button" className="button small" disabled={rate === null} onClick={() => apply(rate)}>
            Set
          </button>
          <button type="button" className="button small" onClick={() => setCustom(null)}>
            Cancel
          </button>
          {problem ? (
            <span className="row-problem" role="alert">
              {problem}
            </span>
          ) : null}
        </span>
      )}
    </span>
  );
}
