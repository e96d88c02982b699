/**
 * Where the next drop goes: endpoint, bucket (listed from the endpoint, or typed) and prefix, as
 * one path bar: "Upload to  [MinIO ▾]  s3:// [bucket] / [prefix]".
 */
import { useEffect, useId, useState } from 'react';
import { bucketNameProblem } from '../../shared/s3Names.ts';
import { normalizePrefix } from '../store/jobsSlice.ts';
import { useActions, useFerry, useFerryShallow } from '../store/hooks.ts';
import { RefreshIcon, WarningIcon } from './icons.tsx';

export function DestinationBar() {
  const destination = useFerryShallow((state) => state.destination);
  const endpoints = useFerry((state) => state.endpoints);
  const bucketList = useFerry((state) => state.buckets.get(state.destination.endpointId));
  const actions = useActions();
  const listId = useId();
  const problemId = useId();
  const { endpointId, bucket, prefix } = destination;

  // List the chosen endpoint's buckets once; "Refresh" lists them again.
  useEffect(() => {
    if (endpointId && !bucketList) void actions.loadBuckets(endpointId);
  }, [endpointId, bucketList, actions]);

  const bucketProblem = bucket.trim() === '' ? null : bucketNameProblem(bucket.trim());
  const listError = bucketList?.status === 'error' ? bucketList.error.message : null;
  // a valid name the endpoint did not list: a typo uploads nowhere, so say it once the typing is done
  const [editingBucket, setEditingBucket] = useState(false);
  const unlisted =
    !editingBucket &&
    bucketProblem === null &&
    bucket.trim() !== '' &&
    bucketList?.status === 'ready' &&
    !bucketList.buckets.includes(bucket.trim())
      ? `“${bucket.trim()}” is not among this endpoint’s buckets: check the name (uploads to a bucket that does not exist fail).`
      : null;
  const problem = bucketProblem ?? (listError ? `Buckets could not be listed: ${listError} Type the bucket’s name.` : unlisted);

  return (
    <div className="destination-bar" role="group" aria-label="Destination">
      <span className="destination-label">Upload to</span>
      <select
        className="field select endpoint-select"
        aria-label="Endpoint"
        value={endpointId}
        onChange={(event) => actions.chooseEndpoint(event.target.value)}
        disabled={endpoints.length === 0}
      >
        {endpoints.length === 0 ? <option value="">No endpoint</option> : null}
        {endpoints.map((endpoint) => (
          <option key={endpoint.id} value={endpoint.id}>
            {endpoint.name}
          </option>
        ))}
      </select>
      <div className="path-field">
        <span className="path-scheme" aria-hidden="true">
          s3://
        </span>
        <input
          className="path-input bucket-input"
          aria-label="Bucket"
          list={listId}
          placeholder={bucketList?.status === 'loading' ? 'Listing buckets…' : 'bucket'}
          value={bucket}
          spellCheck={false}
          autoComplete="off"
          disabled={!endpointId}
          aria-invalid={bucketProblem ? true : undefined}
          aria-describedby={problem ? problemId : undefined}
          onChange={(event) => actions.setDestination({ bucket: event.target.value })}
          onFocus={() => setEditingBucket(true)}
          onBlur={() => {
            setEditingBucket(false);
            actions.setDestination({ bucket: bucket.trim() });
            actions.rememberDestination();
          }}
        />
        <datalist id={listId}>
          {(bucketList?.buckets ?? []).map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <span className="path-separator" aria-hidden="true">
          /
        </span>
        <input
          className="path-input prefix-input"
          aria-label="Prefix"
          placeholder="prefix/ (optional)"
          value={prefix}
          spellCheck={false}
          autoComplete="off"
          disabled={!endpointId}
          onChange={(event) => actions.setDestination({ prefix: event.target.value })}
          onBlur={() => {
            actions.setDestination({ prefix: normalizePrefix(prefix) });
            actions.rememberDestination();
          }}
        />
      </div>
      <button
        type="button"
        className="icon-button"
        aria-label="List buckets again"
        title="List buckets again"
        disabled={!endpointId || bucketList?.status === 'loading'}
        onClick={() => void actions.loadBuckets(endpointId)}
      >
        <RefreshIcon className={bucketList?.status === 'loading' ? 'spin' : undefined} />
      </button>
      {problem ? (
        <span id={problemId} className="destination-problem" role="status">
          <WarningIcon />
          {problem}
        </span>
      ) : null}
    </div>
  );
}
