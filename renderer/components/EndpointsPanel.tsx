/**
 * The endpoints panel: the list on the left; on the right the chosen endpoint (test, edit, remove)
 * or the form to add one. Adding an endpoint tests it at once.
 */
import { useState } from 'react';
import type { EndpointView, ProbeView } from '../../shared/contract.ts';
import { plainHttpWarning } from '../../shared/endpointInput.ts';
import { providerLabel } from '../../shared/serverKind.ts';
import { useActions, useFerry } from '../store/hooks.ts';
import type { EndpointTest } from '../store/endpointsSlice.ts';
import { ConfirmDialog, Dialog } from './Dialog.tsx';
import { EndpointForm } from './EndpointForm.tsx';
import { CheckIcon, PencilIcon, PlusIcon, PulseIcon, ServerIcon, TrashIcon, WarningIcon } from './icons.tsx';

type View = { mode: 'add' } | { mode: 'show'; id: string } | { mode: 'edit'; id: string };

function formatOffset(ms: number): string {
  const seconds = ms / 1000;
  const sign = seconds > 0 ? '+' : seconds < 0 ? '−' : '';
  return `${sign}${Math.abs(seconds) < 10 ? Math.abs(seconds).toFixed(1) : Math.round(Math.abs(seconds))} s`;
}

function ProbeResult({ result }: { result: ProbeView }) {
  if (!result.ok) {
    return (
      <div className="probe probe-failed" role="status">
        <div className="probe-headline">
          <WarningIcon /> <strong>The test failed.</strong>
        </div>
        <p className="probe-error">{result.error?.message ?? 'The endpoint did not answer as S3 does.'}</p>
        {result.warnings.length > 0 ? (
          <ul className="probe-warnings">
            {result.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        ) : null}
      </div>
    );
  }
  const buckets = result.buckets ?? [];
  return (
    <div className="probe probe-ok" role="status">
      <div className="probe-headline">
        <CheckIcon /> <strong>Connected</strong>
      </div>
      <dl className="facts">
        <dt>Latency</dt>
        <dd>{result.latencyMs === null ? 'Unknown' : `${Math.round(result.latencyMs)} ms`}</dd>
        <dt>Clock offset</dt>
        <dd>{result.clockOffsetMs === null ? 'Unknown' : formatOffset(result.clockOffsetMs)}</dd>
        <dt>Buckets</dt>
        <dd>
          {result.buckets === null
            ? 'Not listed (the credentials may not allow it)'
            : buckets.length === 0
              ? 'None'
              : `${buckets.slice(0, 8).join(', ')}${buckets.length > 8 ? ` and ${buckets.length - 8} more` : ''}`}
        </dd>
      </dl>
      {result.warnings.length > 0 ? (
        <ul className="probe-warnings" aria-label="Warnings">
          {result.warnings.map((warning) => (
            <li key={warning}>
              <WarningIcon size={14} /> {warning}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function TestStatus({ test }: { test: EndpointTest | undefined }) {
  if (!test) return null;
  if (test.status === 'testing') {
    return (
      <div className="probe" role="status">
        <span className="spinner" aria-hidden="true" /> Testing…
      </div>
    );
  }
  if (test.status === 'error') {
    return (
      <div className="probe probe-failed" role="status">
        <div className="probe-headline">
          <WarningIcon /> <strong>The test could not run.</strong>
        </div>
        <p className="probe-error">{test.error.message}</p>
      </div>
    );
  }
  return <ProbeResult result={test.result} />;
}

/** The mark of an endpoint reached over plain http:// on another computer. */
function NotEncrypted() {
  return (
    <span className="tag tag-danger" title="Requests to this endpoint travel over plain http://, unencrypted">
      not encrypted
    </span>
  );
}

function EndpointDetails({ endpoint, onEdit }: { endpoint: EndpointView; onEdit: () => void }) {
  const actions = useActions();
  const test = useFerry((state) => state.endpointTests.get(endpoint.id));
  const [bucket, setBucket] = useState('');
  const [confirmRemove, setConfirmRemove] = useState(false);
  return (
    <section className="endpoint-details" aria-label={endpoint.name}>
      <h3 className="section-title">{endpoint.name}</h3>
      <dl className="facts">
        <dt>Provider</dt>
        <dd>{providerLabel(endpoint)}</dd>
        <dt>URL</dt>
        <dd>
          <span className="mono">{endpoint.url}</span>
          {plainHttpWarning(endpoint.url) ? (
            <>
              {' '}
              <NotEncrypted />
              <div className="field-hint">{plainHttpWarning(endpoint.url)}</div>
            </>
          ) : null}
        </dd>
        {endpoint.caFile ? (
          <>
            <dt>CA file</dt>
            <dd className="mono">{endpoint.caFile}</dd>
          </>
        ) : null}
        <dt>Region</dt>
        <dd className="mono">{endpoint.region}</dd>
        <dt>Addressing</dt>
        <dd>{endpoint.addressing === 'path' ? 'Path style' : 'Virtual-hosted style'}</dd>
        <dt>Checksums</dt>
        <dd>{endpoint.checksums === 'when-required' ? 'Only when required' : 'Whenever supported'}</dd>
        <dt>Credentials</dt>
        <dd>
          {endpoint.credential.kind === 'static' ? (
            <>
              Access key <span className="mono">{endpoint.credential.accessKeyId}</span> (secret stored, never shown)
            </>
          ) : (
            <>
              AWS profile <span className="mono">{endpoint.credential.profile}</span>
            </>
          )}
        </dd>
      </dl>
      <div className="test-row">
        <label className="visually-hidden" htmlFor={`test-bucket-${endpoint.id}`}>
          Bucket to test (optional)
        </label>
        <input
          id={`test-bucket-${endpoint.id}`}
          className="field narrow mono"
          placeholder="bucket (optional)"
          value={bucket}
          spellCheck={false}
          onChange={(event) => setBucket(event.target.value)}
        />
        <button
          type="button"
          className="button"
          disabled={test?.status === 'testing'}
          onClick={() => void actions.testEndpoint(endpoint.id, bucket.trim() || undefined)}
        >
          <PulseIcon /> Test connection
        </button>
        <div className="tool-spacer" />
        <button type="button" className="button" onClick={onEdit}>
          <PencilIcon /> Edit
        </button>
        <button type="button" className="button danger-text" onClick={() => setConfirmRemove(true)}>
          <TrashIcon /> Remove…
        </button>
      </div>
      <TestStatus test={test} />
      {confirmRemove ? (
        <ConfirmDialog
          title={`Remove ${endpoint.name}?`}
          message={
            <>
              <p>Its stored credentials are deleted from this computer. Objects and buckets on the server are not touched.</p>
              <p>Uploads to this endpoint that are not finished can no longer continue.</p>
            </>
          }
          confirmLabel="Remove endpoint"
          onCancel={() => setConfirmRemove(false)}
          onConfirm={() => {
            setConfirmRemove(false);
            void actions.removeEndpoint(endpoint.id);
          }}
        />
      ) : null}
    </section>
  );
}

export function EndpointsPanel({ adding, editing }: { adding?: boolean; editing?: string }) {
  const endpoints = useFerry((state) => state.endpoints);
  const vaultWarning = useFerry((state) => state.host?.vaultWarning ?? null);
  const actions = useActions();
  const [view, setView] = useState<View>(() => {
    if (adding || endpoints.length === 0) return { mode: 'add' };
    if (editing) return { mode: 'edit', id: editing };
    return { mode: 'show', id: endpoints[0]!.id };
  });

  const current = view.mode === 'add' ? null : (endpoints.find((endpoint) => endpoint.id === view.id) ?? null);
  // the shown endpoint was removed (here or elsewhere): show the first one, or the form
  const shown: View = view.mode !== 'add' && !current ? (endpoints[0] ? { mode: 'show', id: endpoints[0].id } : { mode: 'add' }) : view;
  const shownEndpoint = shown.mode === 'add' ? null : (endpoints.find((endpoint) => endpoint.id === shown.id) ?? null);

  return (
    <Dialog title="Endpoints" subtitle="The S3 services Ferry uploads to" size="large" onClose={() => actions.closePanel()}>
      {vaultWarning ? (
        <div className="banner banner-danger inline" role="alert">
          <WarningIcon />
          <span className="banner-text">{vaultWarning}</span>
        </div>
      ) : null}
      <div className="split">
        <nav className="split-list" aria-label="Endpoint list">
          {endpoints.length === 0 ? <p className="muted small-print">No endpoint yet.</p> : null}
          <ul>
            {endpoints.map((endpoint) => (
              <li key={endpoint.id}>
                <button
                  type="button"
                  className={`list-item${shownEndpoint?.id === endpoint.id ? ' current' : ''}`}
                  aria-current={shownEndpoint?.id === endpoint.id ? 'true' : undefined}
                  onClick={() => setView({ mode: 'show', id: endpoint.id })}
                >
                  <ServerIcon className="list-item-icon" />
                  <span className="two-lines">
                    <span className="list-item-title">{endpoint.name}</span>
                    <span className="list-item-sub">
                      <span className="provider">{providerLabel(endpoint)}</span> <span className="muted-dot">·</span>{' '}
                      {endpoint.url.replace(/^https?:\/\//, '')}
                      {plainHttpWarning(endpoint.url) ? (
                        <>
                          {' '}
                          <NotEncrypted />
                        </>
                      ) : null}
                    </span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
          <button
            type="button"
            className={`list-item add-item${shown.mode === 'add' ? ' current' : ''}`}
            onClick={() => setView({ mode: 'add' })}
          >
            <PlusIcon className="list-item-icon" /> New endpoint
          </button>
        </nav>
        <div className="split-detail">
          {shown.mode === 'add' ? (
            <>
              <h3 className="section-title">New endpoint</h3>
              <EndpointForm
                key="add"
                endpoint={null}
                vaultWarning={vaultWarning}
                onCancel={() => (endpoints[0] ? setView({ mode: 'show', id: endpoints[0].id }) : actions.closePanel())}
                onSaved={(endpoint) => {
                  setView({ mode: 'show', id: endpoint.id });
                  void actions.testEndpoint(endpoint.id);
                }}
              />
            </>
          ) : shown.mode === 'edit' && shownEndpoint ? (
            <>
              <h3 className="section-title">Edit {shownEndpoint.name}</h3>
              <EndpointForm
                key={`edit-${shownEndpoint.id}`}
                endpoint={shownEndpoint}
                vaultWarning={vaultWarning}
                onCancel={() => setView({ mode: 'show', id: shownEndpoint.id })}
                onSaved={(endpoint, _added, credentialChanged) => {
                  setView({ mode: 'show', id: endpoint.id });
                  // a new secret is tested at once, as a new endpoint is (issue #13)
                  if (credentialChanged) void actions.testEndpoint(endpoint.id);
                }}
              />
            </>
          ) : shownEndpoint ? (
            <EndpointDetails
              key={shownEndpoint.id}
              endpoint={shownEndpoint}
              onEdit={() => setView({ mode: 'edit', id: shownEndpoint.id })}
            />
          ) : null}
        </div>
      </div>
    </Dialog>
  );
}
