/**
 * Choosing one file on the computer Ferry runs on (browseFiles, the same listing as "Add files…",
 * hidden files one tick away as there): for "Resume with a local file…" in the orphans panel (issue #15).
 */
import { useEffect, useState, type ReactNode } from 'react';
import { Dialog } from './Dialog.tsx';
import { EmptyFolder, FolderBar, FolderEntries, ShowHiddenToggle, useHostFolder } from './HostFolder.tsx';

export function HostFileChooser({
  title,
  subtitle,
  confirmLabel,
  onChoose,
  onCancel,
}: {
  title: string;
  subtitle?: ReactNode;
  confirmLabel: string;
  onChoose: (path: string) => void;
  onCancel: () => void;
}) {
  const folder = useHostFolder();
  const [chosen, setChosen] = useState<string | null>(null);
  const open = (path: string | null) => void folder.open(path);
  // a choice is of the listing shown: another folder, or hidden files shown or not, clears it
  useEffect(() => setChosen(null), [folder.listing]);

  return (
    <Dialog
      title={title}
      subtitle={subtitle}
      size="large"
      onClose={onCancel}
      footer={
        <>
          <div className="tool-spacer" />
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="button primary" disabled={chosen === null} onClick={() => chosen && onChoose(chosen)}>
            {confirmLabel}
          </button>
        </>
      }
    >
      <FolderBar folder={folder} onOpen={open}>
        <ShowHiddenToggle folder={folder} />
      </FolderBar>
      <FolderEntries
        folder={folder}
        onOpen={open}
        selectHeader="Chosen"
        isSelected={(entry) => chosen === entry.path}
        empty={<EmptyFolder folder={folder} />}
        select={(entry) =>
          entry.kind === 'file' ? (
            <input
              type="radio"
              name="host-file"
              aria-label={`Choose ${entry.name}`}
              checked={chosen === entry.path}
              onChange={() => setChosen(entry.path)}
            />
          ) : null
        }
      />
    </Dialog>
  );
}
