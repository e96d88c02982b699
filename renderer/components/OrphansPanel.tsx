/**
 * Orphaned uploads: multipart uploads that were started and never completed or aborted. Their
 * parts stay on the server (and are billed) until aborted. Listed per endpoint, bucket and prefix,
 * with their age, parts, size and whether a Ferry job owns them; the chosen ones can be aborted.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { OrphanView } from '../../shared/contract.ts';
import { bucketNameProblem } from '../../shared/s3Names.ts';
import { normalizePrefix } from '../store/jobsSlice.ts';
import { useActions, useFerry } from '../store/hooks.ts';
import { count, formatAge, formatBytes } from '../format.ts';
import { ConfirmDialog, Dialog } from './Dialog.tsx';
import { PuzzleIcon, RefreshIcon, StopIcon, WarningIcon } from './icons.tsx';
import { HostFileChooser } from './HostFileChooser.tsx';

const NO_BUCKETS: readonly string[] = [];

function uploadKey(upload: Pick<OrphanView, 'key' | 'uploadId'>): string {
  return `${upload.uploadId}\u0000${upload.key}`;
}

/** Which Ferry upload owns an incomplete upload (its own subscription: the panel ignores progress). */
function Owner({ jobId }: { jobId: string | null }) {
  const name = useFerry((state) => (jobId === null ? null : (state.jobs.get(jobId)?.name ?? 'A Ferry upload')));
  return name === null ? <span className="muted">Not Ferry’s</span> : <span className="tag">{name}</span>;
}

export function OrphansPanel() {
  const actions = useActions();
  const endpoints = useFerry((state) => state.endpoints);
  const destination = useFerry((state) => state.destination);
  const orphans = useFerry((state) => state.orphans);
  const remembered = useFerry((state) => state.settings.destinations);
  // where to look: the destination bar's endpoint and bucket (issue #13), still editable here; the
  // last listing only when the bar names no bucket, or names the same one (then its prefix too)
  const [start] = useState(() => {
    const bar = { endpointId: destination.endpointId, bucket: destination.bucket.trim() };
    const last = orphans.status !== 'idle' ? orphans.query : null;
    if (bar.endpointId !== '' && bar.bucket !== '') {
      const same = last !== null && last.endpointId === bar.endpointId && last.bucket === bar.bucket;
      return { ...bar, prefix: same ? last.prefix : '' };
    }
    return last ?? { endpointId: destination.endpointId || endpoints[0]?.id || '', bucket: '', prefix: '' };
  });
  const [endpointId, setEndpointId] = useState(start.endpointId);
  const [bucket, setBucket] = useState(start.bucket);
  const [prefix, setPrefix] = useState(start.prefix);

  /** Another endpoint: the bucket the bar (or the last session) has for it. */
  function chooseEndpoint(id: string) {
    setEndpointId(id);
    setBucket(id === destination.endpointId ? destination.bucket.trim() : (remembered?.[id]?.bucket ?? ''));
    setBucketError(null);
  }
  const [bucketError, setBucketError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  /** "Resume with a local file…" (issue #15): the upload being finished, while its file is chosen. */
  const [adopting, setAdopting] = useState<OrphanView | null>(null);
  const bucketList = useFerry((state) => state.buckets.get(endpointId));
  const buckets = bucketList?.buckets ?? NO_BUCKETS;
  const listId = useId();

  useEffect(() => {
    if (endpointId && !bucketList) void actions.loadBuckets(endpointId);
  }, [endpointId, bucketList, actions]);

  const uploads = orphans.status === 'ready' ? orphans.uploads : [];
  const chosenUploads = uploads.filter((upload) => chosen.has(uploadKey(upload)));
  const chosenOwned = chosenUploads.filter((upload) => upload.jobId !== null).length;
  const allChosen = uploads.length > 0 && chosenUploads.length === uploads.length;

  function onList(event: FormEvent) {
    event.preventDefault();
    const name = bucket.trim();
    const problem = name === '' ? 'Enter the bucket whose incomplete uploads to list.' : bucketNameProblem(name);
    setBucketError(problem);
    if (problem) return;
    setChosen(new Set());
    const normalized = normalizePrefix(prefix);
    setPrefix(normalized);
    void actions.listOrphans({ endpointId, bucket: name, prefix: normalized });
  }

  function toggle(upload: OrphanView) {
    const key = uploadKey(upload);
    const next = new Set(chosen);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setChosen(next);
  }

  const totalBytes = uploads.reduce((sum, upload) => sum + upload.bytes, 0);

  return (
    <Dialog
      title="Orphaned uploads"
      subtitle="Incomplete multipart uploads keep their parts on the server, and most providers bill for them until they are aborted."
      size="large"
      onClose={() => actions.closePanel()}
    >
      <form className="query-bar" onSubmit={onList} aria-label="Where to look">
        <label className="inline-field">
          <span>Endpoint</span>
          <select className="field select" value={endpointId} onChange={(event) => chooseEndpoint(event.target.value)}>
            {endpoints.map((endpoint) => (
              <option key={endpoint.id} value={endpoint.id}>
                {endpoint.name}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          <span>Bucket</span>
          <input
            className="field mono"
            list={listId}
            value={bucket}
            spellCheck={false}
            autoComplete="off"
            aria-invalid={bucketError ? true : undefined}
            onChange={(event) => setBucket(event.target.value)}
          />
          <datalist id={listId}>
            {buckets.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        </label>
        <label className="inline-field">
          <span>Prefix</span>
          <input
            className="field mono"
            value={prefix}
            placeholder="(all keys)"
            spellCheck={false}
            autoComplete="off"
            onChange={(event) => setPrefix(event.target.value)}
          />
        </label>
        <button type="submit" className="button primary" disabled={!endpointId || orphans.status === 'loading'}>
          <RefreshIcon /> List
        </button>
      </form>
      {bucketError ? (
        <div className="field-error" role="alert">
          <WarningIcon size={14} /> {bucketError}
        </div>
      ) : null}

      <div className="orphans-body">
        {orphans.status === 'idle' ? (
          <div className="empty-state compact">
            <PuzzleIcon size={32} className="empty-icon" />
            <p className="empty-text">Choose an endpoint and a bucket, then List.</p>
          </div>
        ) : orphans.status === 'loading' ? (
          <div className="empty-state compact" role="status">
            <span className="spinner" aria-hidden="true" /> Listing incomplete uploads…
          </div>
        ) : orphans.status === 'error' ? (
          <div className="form-error" role="alert">
            <WarningIcon /> {orphans.error.message}
          </div>
        ) : uploads.length === 0 ? (
          <div className="empty-state compact" role="status">
            <p className="empty-text">
              No incomplete uploads in{' '}
              <span className="mono">
                s3://{orphans.query.bucket}/{orphans.query.prefix}
              </span>
              .
            </p>
          </div>
        ) : (
          <table className="data-table" aria-label="Incomplete uploads">
            <thead>
              <tr>
                <th scope="col" className="cell-check">
                  <input
                    type="checkbox"
                    aria-label="Select all incomplete uploads"
                    checked={allChosen}
                    onChange={() => setChosen(allChosen ? new Set() : new Set(uploads.map(uploadKey)))}
                  />
                </th>
                <th scope="col">Key</th>
                <th scope="col">Started</th>
                <th scope="col" className="numeric">
                  Parts
                </th>
                <th scope="col" className="numeric">
                  Size
                </th>
                <th scope="col">Ferry upload</th>
                <th scope="col">
                  <span className="visually-hidden">Finish</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {uploads.map((upload) => {
                return (
                  <tr key={uploadKey(upload)} aria-label={upload.key} className={chosen.has(uploadKey(upload)) ? 'selected' : undefined}>
                    <td className="cell-check">
                      <input
                        type="checkbox"
                        aria-label={`Select ${upload.key}`}
                        checked={chosen.has(uploadKey(upload))}
                        onChange={() => toggle(upload)}
                      />
                    </td>
                    <td className="mono ellipsis" title={`${upload.key}\nUpload ID ${upload.uploadId}`}>
                      {upload.key}
                    </td>
                    <td title={upload.initiated ?? undefined}>{formatAge(upload.initiated)}</td>
                    <td className="numeric">{upload.parts.toLocaleString('en-US')}</td>
                    <td className="numeric">{formatBytes(upload.bytes)}</td>
                    <td>
                      <Owner jobId={upload.jobId} />
                    </td>
                    <td>
                      {upload.jobId === null ? (
                        <button
                          type="button"
                          className="text-button"
                          aria-label={`Resume ${upload.key} with a local file`}
                          title="Finish this upload with the file it was uploading: the parts that match are kept"
                          onClick={() => setAdopting(upload)}
                        >
                          Resume with a local file…
                        </button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>

      {orphans.status === 'ready' && uploads.length > 0 ? (
        <div className="panel-footer">
          <span className="muted">
            {count(uploads.length, 'incomplete upload')}, {formatBytes(totalBytes)} on the server
            {chosenUploads.length > 0 ? ` · ${chosenUploads.length} selected` : ''}
          </span>
          <div className="tool-spacer" />
          <button type="button" className="button danger" disabled={chosenUploads.length === 0} onClick={() => setConfirming(true)}>
            <StopIcon /> Abort selected…
          </button>
        </div>
      ) : null}

      {adopting && orphans.status === 'ready' ? (
        <HostFileChooser
          title={`Resume ${adopting.key}`}
          subtitle="Choose the file this upload was sending. Every part on the server whose bytes match it is kept; the rest are sent, and the object is verified."
          confirmLabel="Resume with this file"
          onCancel={() => setAdopting(null)}
          onChoose={(path) => {
            const { endpointId: chosenEndpoint, bucket: chosenBucket } = orphans.query;
            void actions
              .adoptOrphan({ endpointId: chosenEndpoint, bucket: chosenBucket, key: adopting.key, uploadId: adopting.uploadId, path })
              .then((done) => done && setAdopting(null));
          }}
        />
      ) : null}

      {confirming ? (
        <ConfirmDialog
          title={`Abort ${count(chosenUploads.length, 'incomplete upload')}?`}
          message={
            <>
              <p>
                Their parts ({formatBytes(chosenUploads.reduce((sum, upload) => sum + upload.bytes, 0))}) are deleted from the server. This
                cannot be undone.
              </p>
              {chosenOwned > 0 ? (
                <p className="warning-text">
                  <WarningIcon size={14} /> {chosenOwned === 1 ? 'One of them belongs' : `${chosenOwned} of them belong`} to a Ferry upload,
                  which will have to start again from zero.
                </p>
              ) : null}
            </>
          }
          confirmLabel="Abort uploads"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void actions.abortOrphans(chosenUploads.map(({ key, uploadId }) => ({ key, uploadId }))).then((done) => {
              if (done) setChosen(new Set());
            });
          }}
        />
      ) : null}
    </Dialog>
  );
}
