/**
 * "Options" beside the destination bar (issue #12): a compact form for the next drop's options
 * (content type, storage class, encryption, ACL, cache control, metadata and tags as key/value rows,
 * if-exists). The destination endpoint's defaults fill it (a field the person edited keeps its
 * value when the endpoint changes); a row with a problem says it next to itself, in words, and a
 * drop is refused until it is fixed. SSE-C is the command line's.
 */
import { useId, useState } from 'react';
import { CANNED_ACLS, IF_EXISTS, STORAGE_CLASSES, optionsBadge, type UploadOptions } from '../../shared/uploadOptions.ts';
import { useActions, useFerry } from '../store/hooks.ts';
import { formOptions, rowProblems, type FieldName, type KeyValueRow, type RowKind } from '../store/uploadForm.ts';

const ROW_WORDS: Record<RowKind, { title: string; one: string; add: string }> = {
  metadata: { title: 'Metadata', one: 'Metadata', add: 'Add metadata' },
  tags: { title: 'Tags', one: 'Tag', add: 'Add tag' },
};

const IF_EXISTS_WORDS: Record<(typeof IF_EXISTS)[number] | 'ask', string> = {
  ask: 'ask in the row',
  overwrite: 'replace it',
  skip: 'skip the file',
  'skip-identical': 'skip if identical',
  rename: 'keep both (rename)',
  fail: 'fail the upload',
};

/** Metadata or tags: one key and value per row, added and removed, each row's problem beside it. */
function KeyValueRows({ kind }: { kind: RowKind }) {
  const rows = useFerry((state) => state.uploadForm[kind]);
  const actions = useActions();
  const words = ROW_WORDS[kind];
  const { byRow, all } = rowProblems(kind, rows);
  const errorId = useId();
  const change = (id: number, patch: Partial<KeyValueRow>) =>
    actions.setOptionRows(
      kind,
      rows.map((row) => (row.id === id ? { ...row, ...patch } : row)),
    );
  function add() {
    const id = Math.max(0, ...rows.map((row) => row.id)) + 1;
    actions.setOptionRows(kind, [...rows, { id, key: '', value: '' }]);
  }
  return (
    <fieldset className="key-value-rows">
      <legend>{words.title}</legend>
      {rows.map((row, index) => {
        const problem = byRow.get(row.id);
        const n = index + 1;
        return (
          <div key={row.id} className="key-value-row">
            <input
              className={`field${problem ? ' invalid' : ''}`}
              aria-label={`${words.one} key ${n}`}
              placeholder="key"
              value={row.key}
              aria-invalid={problem !== undefined}
              aria-describedby={problem ? `${errorId}-${row.id}` : undefined}
              onChange={(event) => change(row.id, { key: event.target.value })}
            />
            <input
              className={`field${problem ? ' invalid' : ''}`}
              aria-label={`${words.one} value ${n}`}
              placeholder="value"
              value={row.value}
              aria-invalid={problem !== undefined}
              aria-describedby={problem ? `${errorId}-${row.id}` : undefined}
              onChange={(event) => change(row.id, { value: event.target.value })}
            />
            <button
              type="button"
              className="icon-button small"
              aria-label={`Remove ${words.one.toLowerCase()} ${n}`}
              title="Remove"
              onClick={() =>
                actions.setOptionRows(
                  kind,
                  rows.filter((other) => other.id !== row.id),
                )
              }
            >
              ×
            </button>
            {problem ? (
              <span className="row-problem" id={`${errorId}-${row.id}`} role="alert">
                {problem}
              </span>
            ) : null}
          </div>
        );
      })}
      {all && byRow.size === 0 ? (
        <span className="row-problem" role="alert">
          {all}
        </span>
      ) : null}
      <button type="button" className="button small" onClick={add}>
        {words.add}
      </button>
    </fieldset>
  );
}

export function UploadOptionsControl() {
  const form = useFerry((state) => state.uploadForm);
  const actions = useActions();
  const [open, setOpen] = useState(false);
  const formId = useId();
  const fields = form.fields;
  const set = <K extends FieldName>(key: K, value: UploadOptions[K] | '') => actions.editUploadOption(key, value);
  const { options } = formOptions(form);
  const count = options === null ? Object.keys(fields).length : Object.keys(options).length;
  const badge = optionsBadge(fields);
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
              value={fields.contentType ?? ''}
              onChange={(event) => set('contentType', event.target.value.trim())}
            />
          </label>
          <label>
            Storage class
            <select
              className="field select"
              value={fields.storageClass ?? ''}
              onChange={(event) => set('storageClass', event.target.value)}
            >
              <option value="">server default</option>
              {STORAGE_CLASSES.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
              {fields.storageClass && !(STORAGE_CLASSES as readonly string[]).includes(fields.storageClass) ? (
                <option value={fields.storageClass}>{fields.storageClass}</option>
              ) : null}
            </select>
          </label>
          <label>
            Encryption
            <select
              className="field select"
              value={fields.sse ?? ''}
              onChange={(event) => set('sse', event.target.value as UploadOptions['sse'] | '')}
            >
              <option value="">none (the bucket's default)</option>
              <option value="AES256">SSE-S3 (AES256)</option>
              <option value="aws:kms">SSE-KMS</option>
            </select>
          </label>
          {fields.sse === 'aws:kms' ? (
            <label>
              KMS key id
              <input
                className="field"
                value={fields.sseKmsKeyId ?? ''}
                onChange={(event) => set('sseKmsKeyId', event.target.value.trim())}
              />
            </label>
          ) : null}
          <label>
            ACL
            <select
              className="field select"
              value={fields.acl ?? ''}
              onChange={(event) => set('acl', event.target.value as UploadOptions['acl'] | '')}
            >
              <option value="">server default</option>
              {CANNED_ACLS.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Cache-Control
            <input className="field" value={fields.cacheControl ?? ''} onChange={(event) => set('cacheControl', event.target.value)} />
          </label>
          <KeyValueRows kind="metadata" />
          <KeyValueRows kind="tags" />
          <label>
            If the key exists
            <select
              className="field select"
              value={fields.ifExists ?? 'ask'}
              onChange={(event) => set('ifExists', event.target.value as UploadOptions['ifExists'])}
            >
              {(['ask', ...IF_EXISTS] as const).map((mode) => (
                <option key={mode} value={mode}>
                  {IF_EXISTS_WORDS[mode]}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="button small" onClick={() => actions.resetUploadOptions()}>
            Reset
          </button>
        </div>
      ) : null}
    </div>
  );
}
