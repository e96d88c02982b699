/**
 * "Options" beside the destination bar (issue #12): a compact form for the next drop's options
 * (content type, storage class, encryption, ACL, cache control, if-exists). Empty fields leave the
 * endpoint's defaults, applied by the host. SSE-C, metadata and tags are the command line's.
 */
import { useId, useState } from 'react';
import { CANNED_ACLS, IF_EXISTS, STORAGE_CLASSES, optionsBadge, type UploadOptions } from '../../shared/uploadOptions.ts';
import { useActions, useFerry } from '../store/hooks.ts';

/** Sets or clears one option. */
function patch<K extends keyof UploadOptions>(options: UploadOptions, key: K, value: UploadOptions[K] | ''): UploadOptions {
  const next = { ...options };
  if (value === '' || value === undefined) delete next[key];
  else next[key] = value;
  if (key === 'sse' && value !== 'aws:kms') delete next.sseKmsKeyId;
  return next;
}

export function UploadOptionsControl() {
  const options = useFerry((state) => state.uploadOptions);
  const actions = useActions();
  const [open, setOpen] = useState(false);
  const formId = useId();
  const set = <K extends keyof UploadOptions>(key: K, value: UploadOptions[K] | '') => actions.setUploadOptions(patch(options, key, value));
  const count = Object.keys(options).length;
  const badge = optionsBadge(options);
  return (
    <div className="upload-options">
      <button
        type="button"
        className="button small"
        aria-expanded={open}
        aria-controls={formId}
        onClick={() => setOpen((was) => !was)}
        title="Options for the next upload"
      >
        Options{count > 0 ? ` (${count})` : ''}
      </button>
      {badge !== null ? <span className="option-badge">{badge}</span> : null}
      {open ? (
        <div id={formId} className="upload-options-form" role="group" aria-label="Upload options">
          <label>
            Content type
            <input
              className="field"
              placeholder="automatic"
              value={options.contentType ?? ''}
              onChange={(event) => set('contentType', event.target.value.trim())}
            />
          </label>
          <label>
            Storage class
            <select
              className="field select"
              value={options.storageClass ?? ''}
              onChange={(event) => set('storageClass', event.target.value)}
            >
              <option value="">endpoint default</option>
              {STORAGE_CLASSES.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Encryption
            <select
              className="field select"
              value={options.sse ?? ''}
              onChange={(event) => set('sse', event.target.value as UploadOptions['sse'] | '')}
            >
              <option value="">endpoint default</option>
              <option value="AES256">SSE-S3 (AES256)</option>
              <option value="aws:kms">SSE-KMS</option>
            </select>
          </label>
          {options.sse === 'aws:kms' ? (
            <label>
              KMS key id
              <input
                className="field"
                value={options.sseKmsKeyId ?? ''}
                onChange={(event) => set('sseKmsKeyId', event.target.value.trim())}
              />
            </label>
          ) : null}
          <label>
            ACL
            <select
              className="field select"
              value={options.acl ?? ''}
              onChange={(event) => set('acl', event.target.value as UploadOptions['acl'] | '')}
            >
              <option value="">endpoint default</option>
              {CANNED_ACLS.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Cache-Control
            <input className="field" value={options.cacheControl ?? ''} onChange={(event) => set('cacheControl', event.target.value)} />
          </label>
          <label>
            If the key exists
            <select
              className="field select"
              value={options.ifExists ?? ''}
              onChange={(event) => set('ifExists', event.target.value as UploadOptions['ifExists'] | '')}
            >
              <option value="">endpoint default (overwrite)</option>
              {IF_EXISTS.map((mode) => (
                <option key={mode} value={mode}>
                  {mode}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="button small" onClick={() => actions.setUploadOptions({})} disabled={count === 0}>
            Reset
          </button>
        </div>
      ) : null}
    </div>
  );
}
