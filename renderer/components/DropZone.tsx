/**
 * The whole window takes drops of files and folders. While files are dragged over it, an overlay
 * says where they will go (or what is missing); a drop hands the DataTransfer to the store at once
 * (its items can be read only while the event is handled).
 */
import { useEffect, useRef, useState, type DragEvent, type ReactNode } from 'react';
import { formatS3Url } from '../../shared/s3Url.ts';
import { destinationProblem, normalizePrefix } from '../store/jobsSlice.ts';
import { useActions, useFerry } from '../store/hooks.ts';
import { dragHasFiles } from '../files/dropReader.ts';
import { UploadIcon, WarningIcon } from './icons.tsx';

function DropOverlay() {
  const problem = useFerry((state) => destinationProblem(state));
  const target = useFerry((state) => formatS3Url(state.destination.bucket.trim(), normalizePrefix(state.destination.prefix)));
  const endpoint = useFerry((state) => state.endpoints.find((item) => item.id === state.destination.endpointId)?.name ?? '');
  const waiting = useFerry((state) => {
    let n = 0;
    for (const job of state.jobs.values()) if (job.waitingForFile) n++;
    return n;
  });
  const blocked = problem !== null && waiting === 0;
  let detail: ReactNode;
  if (problem === null) {
    detail = (
      <>
        to <span className="mono">{target}</span> on {endpoint}
      </>
    );
  } else if (waiting > 0) {
    detail = `${waiting === 1 ? 'One upload waits' : `${waiting} uploads wait`} for ${waiting === 1 ? 'its file' : 'their files'}. Other files need a destination: ${problem}`;
  } else {
    detail = problem;
  }
  return (
    <div className="drop-overlay" aria-hidden="true">
      <div className={`drop-card${blocked ? ' drop-card-problem' : ''}`}>
        {blocked ? <WarningIcon size={40} /> : <UploadIcon size={40} />}
        <div className="drop-title">{blocked ? 'Nowhere to upload yet' : 'Drop to upload'}</div>
        <div className="drop-detail">{detail}</div>
      </div>
    </div>
  );
}

export function DropZone({ children }: { children: ReactNode }) {
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  const actions = useActions();

  // Outside the zone (or when a drop is not taken), never let the browser open the file instead.
  useEffect(() => {
    const prevent = (event: globalThis.DragEvent) => {
      if (dragHasFiles(event.dataTransfer)) event.preventDefault();
    };
    window.addEventListener('dragover', prevent);
    window.addEventListener('drop', prevent);
    return () => {
      window.removeEventListener('dragover', prevent);
      window.removeEventListener('drop', prevent);
    };
  }, []);

  function onDragEnter(event: DragEvent<HTMLDivElement>) {
    if (!dragHasFiles(event.dataTransfer)) return;
    event.preventDefault();
    depth.current += 1;
    setDragging(true);
  }

  function onDragOver(event: DragEvent<HTMLDivElement>) {
    if (!dragHasFiles(event.dataTransfer)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }

  function onDragLeave(event: DragEvent<HTMLDivElement>) {
    if (!dragHasFiles(event.dataTransfer)) return;
    depth.current = Math.max(0, depth.current - 1);
    if (depth.current === 0) setDragging(false);
  }

  function onDrop(event: DragEvent<HTMLDivElement>) {
    depth.current = 0;
    setDragging(false);
    if (!dragHasFiles(event.dataTransfer)) return;
    event.preventDefault();
    void actions.uploadTransfer(event.dataTransfer);
  }

  return (
    <div
      className={`drop-zone${dragging ? ' dragging' : ''}`}
      onDragEnter={onDragEnter}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      {children}
      {dragging ? <DropOverlay /> : null}
    </div>
  );
}
