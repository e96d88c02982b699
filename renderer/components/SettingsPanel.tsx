/** Settings: resume on launch, and the theme (follow the system, or always light or dark). */
import type { Settings } from '../../shared/contract.ts';
import { useActions, useFerry } from '../store/hooks.ts';
import { Dialog } from './Dialog.tsx';
import { useState } from 'react';
import { MiB } from '../../shared/partPlan.ts';
import { parseRate } from '../../shared/uploadOptions.ts';
import { ReceiptsSetting } from './ReceiptsSetting.tsx';

const THEMES: { value: Settings['theme']; label: string }[] = [
  { value: 'system', label: 'Same as the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/** The bandwidth limit across all uploads (issue #12): a rate such as 10MiB/s, or empty for none. */
function BandwidthField({ limit, onChange }: { limit: number | null; onChange: (limit: number | null) => void }) {
  const [text, setText] = useState(limit === null ? '' : `${+(limit / MiB).toFixed(2)}MiB/s`);
  const rate = text.trim() === '' ? null : parseRate(text);
  const problem = text.trim() !== '' && rate === null ? 'A rate such as 10MiB/s or 500KB/s, or empty for no limit.' : null;
  return (
    <label className="form-row">
      <span className="form-label">Bandwidth limit</span>
      <input
        className="field"
        placeholder="no limit"
        value={text}
        aria-invalid={problem ? true : undefined}
        onChange={(event) => setText(event.target.value)}
        onBlur={() => {
          if (problem === null && rate !== limit) onChange(rate);
        }}
      />
      <span className="field-hint">{problem ?? 'Across all uploads, e.g. 10MiB/s; applies at once, also to running uploads.'}</span>
    </label>
  );
}

export function SettingsPanel() {
  const settings = useFerry((state) => state.settings);
  const host = useFerry((state) => state.host);
  const actions = useActions();
  return (
    <Dialog
      title="Settings"
      size="small"
      onClose={() => actions.closePanel()}
      footer={
        <button type="button" className="button primary" onClick={() => actions.closePanel()}>
          Done
        </button>
      }
    >
      <div className="settings">
        <label className="check-row">
          <input
            type="checkbox"
            checked={settings.resumeOnLaunch}
            onChange={(event) => void actions.changeSettings({ resumeOnLaunch: event.target.checked })}
          />
          <span>
            Resume uploads when Ferry starts
            <span className="field-hint">
              Uploads that were running when Ferry stopped continue by themselves; otherwise they wait, paused.
            </span>
          </span>
        </label>
        <BandwidthField
          limit={settings.bandwidthLimit ?? null}
          onChange={(bandwidthLimit) => void actions.changeSettings({ bandwidthLimit })}
        />
        <label className="field">
          <span className="form-label">Give up after an outage of (minutes)</span>
          <input
            type="number"
            className="input"
            min={1}
            max={10_080}
            step={1}
            defaultValue={settings.giveUpAfterMinutes ?? 15}
            onBlur={(event) => {
              const minutes = Number(event.target.value);
              if (Number.isInteger(minutes) && minutes >= 1 && minutes <= 10_080 && minutes !== settings.giveUpAfterMinutes)
                void actions.changeSettings({ giveUpAfterMinutes: minutes });
            }}
          />
          <span className="field-hint">
            While the endpoint cannot be reached, uploads wait and retry, and continue by themselves when it answers again; after this long
            they fail.
          </span>
        </label>
        <ReceiptsSetting />
        <fieldset className="theme-choice">
          <legend className="form-label">Appearance</legend>
          {THEMES.map((theme) => (
            <label key={theme.value} className="radio">
              <input
                type="radio"
                name="theme"
                value={theme.value}
                checked={settings.theme === theme.value}
                onChange={() => void actions.changeSettings({ theme: theme.value })}
              />
              {theme.label}
            </label>
          ))}
        </fieldset>
        {host ? (
          <p className="muted small-print">
            Ferry {host.version} · {host.kind === 'electron' ? 'desktop app' : 'browser window of the Ferry host'}
          </p>
        ) : null}
      </div>
    </Dialog>
  );
}
