/** Settings: resume on launch, and the theme (follow the system, or always light or dark). */
import type { Settings } from '../../shared/contract.ts';
import { useActions, useFerry } from '../store/hooks.ts';
import { Dialog } from './Dialog.tsx';

const THEMES: { value: Settings['theme']; label: string }[] = [
  { value: 'system', label: 'Same as the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

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
