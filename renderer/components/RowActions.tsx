/**
 * A row's actions: icon buttons where the window is wide, one "More actions" menu where it is
 * narrow (CSS decides which is shown; the other is display:none, out of the accessibility tree).
 * Other rows' additions ("Copy link", options) are more entries of the same `RowAction` list.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { MoreIcon } from './icons.tsx';

export interface RowAction {
  /** The accessible name and the menu's words: "Pause", "Abort…". */
  label: string;
  icon: ReactNode;
  onSelect: () => void;
  danger?: boolean;
}

/**
 * `owner` is the job or batch the row shows now: the list recycles rows by place (JobList.tsx), so
 * an open menu is remembered for its owner and shows only while the row shows that owner.
 */
export function RowActions({ actions, rowName, owner }: { actions: readonly RowAction[]; rowName: string; owner: string }) {
  return (
    <>
      <span className="inline-actions">
        {actions.map((action) => (
          <button
            key={action.label}
            type="button"
            className={`icon-button${action.danger ? ' danger' : ''}`}
            aria-label={action.label.replace(/…$/, '')}
            title={action.label}
            onClick={action.onSelect}
          >
            {action.icon}
          </button>
        ))}
      </span>
      {actions.length > 0 ? <RowMenu actions={actions} rowName={rowName} owner={owner} /> : null}
    </>
  );
}

function RowMenu({ actions, rowName, owner }: { actions: readonly RowAction[]; rowName: string; owner: string }) {
  // the owner the menu was opened for: another job moving into the row finds it closed
  const [openFor, setOpenFor] = useState<string | null>(null);
  const open = openFor === owner;
  const setOpen = (value: boolean) => setOpenFor(value ? owner : null);
  // and it is forgotten once the row shows another owner: scrolled back, the job's menu is closed
  useEffect(() => setOpenFor(null), [owner]);
  const menuId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    function onPointerDown(event: PointerEvent) {
      if (!menu.current?.contains(event.target as Node) && event.target !== button.current) setOpen(false);
    }
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  function close() {
    setOpen(false);
    button.current?.focus();
  }

  function onMenuKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const items = Array.from(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
    const index = items.indexOf(document.activeElement as HTMLElement);
    if (event.key === 'Escape' || event.key === 'Tab') {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      event.stopPropagation();
      const next = (index + (event.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
      items[next]?.focus();
    }
  }

  return (
    <span className="row-menu">
      <button
        ref={button}
        type="button"
        className="icon-button"
        aria-label={`More actions for ${rowName}`}
        title="More actions"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen(!open)}
      >
        <MoreIcon />
      </button>
      {open ? (
        <div ref={menu} id={menuId} role="menu" aria-label={`Actions for ${rowName}`} className="menu" onKeyDown={onMenuKeyDown}>
          {actions.map((action) => (
            <button
              key={action.label}
              type="button"
              role="menuitem"
              tabIndex={-1}
              className={`menu-item${action.danger ? ' danger' : ''}`}
              onClick={() => {
                close();
                action.onSelect();
              }}
            >
              {action.icon}
              <span>{action.label}</span>
            </button>
          ))}
        </div>
      ) : null}
    </span>
  );
}
