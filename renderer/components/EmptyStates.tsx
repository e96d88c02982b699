/** What the window says when there is nothing to show yet, and what to do about it. */
import { formatS3Url } from '../../shared/s3Url.ts';
import { destinationProblem, normalizePrefix } from '../store/jobsSlice.ts';
import { useActions, useFerry } from '../store/hooks.ts';
import { PlusIcon, ServerIcon, UploadIcon } from './icons.tsx';

/** No endpoint yet: the first thing to do is to add one. */
export function FirstRun() {
  const actions = useActions();
  return (
    <section className="empty-state first-run" aria-labelledby="first-run-title">
      <ServerIcon size={44} className="empty-icon" />
      <h2 id="first-run-title" className="empty-title">
        Welcome to Ferry
      </h2>
      <p className="empty-text">
        First, add an endpoint: the S3 service you upload to — Amazon S3, Cloudflare R2, Backblaze B2, MinIO, Wasabi or any S3-compatible
        store.
      </p>
      <ol className="steps">
        <li className="current">
          <span className="step-number">1</span> Add an endpoint
        </li>
        <li>
          <span className="step-number">2</span> Choose a bucket
        </li>
        <li>
          <span className="step-number">3</span> Drop files and folders on this window
        </li>
      </ol>
      <button type="button" className="button primary large" onClick={() => actions.openPanel({ kind: 'endpoints', adding: true })}>
        <PlusIcon /> Add endpoint
      </button>
    </section>
  );
}

/** Endpoints, no uploads: where a drop goes. */
export function NoUploads() {
  const actions = useActions();
  const problem = useFerry((state) => destinationProblem(state));
  const target = useFerry((state) => formatS3Url(state.destination.bucket.trim(), normalizePrefix(state.destination.prefix)));
  return (
    <section className="empty-state" aria-labelledby="no-uploads-title">
      <UploadIcon size={44} className="empty-icon" />
      <h2 id="no-uploads-title" className="empty-title">
        Drop files or folders here
      </h2>
      <p className="empty-text">
        {problem ? (
          problem
        ) : (
          <>
            They go to <span className="mono">{target}</span>. Folders keep their structure; uploads pause, resume and survive restarts.
          </>
        )}
      </p>
      <button type="button" className="button large" onClick={() => actions.openPanel({ kind: 'addFiles' })}>
        <PlusIcon /> Add files…
      </button>
    </section>
  );
}
