/**
 * Settings: resume on launch, the bandwidth limit, the outage allowance, transfers (files at once,
 * parts per file, part size; issue #13), notifications on finish, and the theme.
 */
import { TRANSFER_LIMITS, type Settings } from '../../shared/contract.ts';
import { useActions, useFerry } from '../store/hooks.ts';
import { Dialog } from './Dialog.tsx';
import { DEFAULT_PART_SIZE, formatBytes, MiB, parseSize } from '../../shared/partPlan.ts';
import { parseRate } from '../../shared/uploadOptions.ts';
import { ReceiptsSetting } from './ReceiptsSetting.tsx';
import { SettingField } from './SettingField.tsx';

const THEMES: { value: Settings['theme']; label: string }[] = [
  { value: 'system', label: 'Same as the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/** The bandwidth limit across all uploads (issue #12): a rate such as 10MiB/s, or empty for none. */
function BandwidthField({ limit, onChange }: { limit: number | null; onChange: (limit: number | null) => void }) {
  return (
    <SettingField
      label="Bandwidth limit"
      hint="Across all uploads, e.g. 10MiB/s; applies at once, also to running uploads."
      value={limit}
      text={limit === null ? '' : `${+(limit / MiB).toFixed(2)}MiB/s`}
      read={(text) => {
        const rate = text.trim() === '' ? null : parseRate(text);
        return text.trim() !== '' && rate === null
          ? { problem: 'A rate such as 10MiB/s or 500KB/s, or empty for no limit.' }
          : { value: rate };
      }}
      onChange={onChange}
      input={{ placeholder: 'no limit' }}
    />
  );
}

/** A whole number within bounds, saved when the field is left (an invalid one says why and is not saved). */
function CountField({
  label,
  hint,
  value,
  limits,
  onChange,
}: {
  label: string;
  hint: string;
  value: number;
  limits: { min: number; max: number };
  onChange: (value: number) => void;
}) {
  return (
    <SettingField
      label={label}
      hint={hint}
      value={value}
      text={String(value)}
      read={(text) => {
        const number = Number(text);
        const valid = text.trim() !== '' && Number.isInteger(number) && number >= limits.min && number <= limits.max;
        return valid ? { value: number } : { problem: `A whole number from ${limits.min} to ${limits.max}.` };
      }}
      onChange={onChange}
      input={{ type: 'number', className: 'field narrow', min: limits.min, max: limits.max, step: 1 }}
    />
  );
}

/** "64MiB" for whole mebibytes, else what formatBytes says, without the space (it is typed back as is). */
function sizeText(bytes: number): string {
  return bytes % MiB === 0 ? `${bytes / MiB}MiB` : formatBytes(bytes).replace(' ', '');
}

/** The part size of new uploads: a size such as 64MiB, or empty for automatic. */
function PartSizeField({ partSize, onChange }: { partSize: number | null; onChange: (partSize: number | null) => void }) {
  const { min, max } = TRANSFER_LIMITS.partSize;
  return (
    <SettingField
      label="Part size"
      hint={`For uploads added from now on. Automatic: ${formatBytes(DEFAULT_PART_SIZE)}, larger for files over ${formatBytes(DEFAULT_PART_SIZE * 10_000)} (S3 allows 10,000 parts). Files up to one part go up in one request.`}
      value={partSize}
      text={partSize === null ? '' : sizeText(partSize)}
      read={(text) => {
        const size = text.trim() === '' ? null : parseSize(text);
        return text.trim() !== '' && (size === null || size < min || size > max)
          ? { problem: 'A size from 5MiB to 5GiB, such as 64MiB, or empty for automatic.' }
          : { value: size };
      }}
      onChange={onChange}
      input={{ className: 'field narrow', placeholder: 'automatic' }}
    />
  );
}

/** "Notify me when uploads finish": the desktop's notifications, or the browser's with its permission. */
function NotifyField({ settings }: { settings: Settings }) {
  const actions = useActions();
  const host = useFerry((state) => state.host);
  const permission = useFerry((state) => state.notificationPermission);
  const inBrowser = host?.kind === 'browser';
  const on = settings.notifyOnFinish !== false && (!inBrowser || permission === 'granted');
  return (
    <label className="check-row">
      <input type="checkbox" checked={on} onChange={(event) => void actions.setNotifyOnFinish(event.target.checked)} />
      <span>
        Notify me when uploads finish
        <span className="field-hint">
          {inBrowser
            ? permission === 'denied'
              ? 'The browser blocks notifications for this page: allow them in its site settings first.'
              : 'A notification from the browser when a batch of uploads has finished (the browser asks for permission first).'
            : 'A system notification when a batch of uploads has finished.'}
        </span>
      </span>
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
        <fieldset className="settings-group">
          <legend className="form-label">Transfers</legend>
          <CountField
            label="Files at once"
            hint="Files uploading at the same time (a file under 1 MiB counts as its share of one); more helps many small files. Applies to the next files that start."
            value={settings.filesAtOnce ?? TRANSFER_LIMITS.filesAtOnce.default}
            limits={TRANSFER_LIMITS.filesAtOnce}
            onChange={(filesAtOnce) => void actions.changeSettings({ filesAtOnce })}
          />
          <CountField
            label="Parts per file"
            hint="Parts of one file sent at the same time; more helps a large file on a fast, far link. For uploads added from now on."
            value={settings.partsPerFile ?? TRANSFER_LIMITS.partsPerFile.default}
            limits={TRANSFER_LIMITS.partsPerFile}
            onChange={(partsPerFile) => void actions.changeSettings({ partsPerFile })}
          />
          <PartSizeField partSize={settings.partSize ?? null} onChange={(partSize) => void actions.changeSettings({ partSize })} />
        </fieldset>
        <NotifyField settings={settings} />
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
