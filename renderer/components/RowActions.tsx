/**
 * A row's actions: icon buttons where the window is wide, one "More actions" menu where it is
 * narrow (CSS decides which is shown; the other is display:none, out of the accessibility tree).
 * Other rows' additions ("Copy link", options) are more entries of the same `RowAction` list. An
 * action with choices ("Copy link": valid 1 hour, 1 day, 7 days) is an icon button that opens a menu
 * of them where the window is wide, and one entry per choice in "More actions" where it is narrow.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { MoreIcon } from './icons.tsx';

/** An action a button or a menu entry runs. */
export interface SimpleAction {
  /** The accessible name and the menu's words: "Pause", "Abort…". */
  label: string;
  icon: ReactNode;
  onSelect: () => void;
  danger?: boolean;
}

/** An action refined by a choice ("Copy link": "valid 1 hour", …): picking one runs it. */
export interface ChoiceAction {
  label: string;
  icon: ReactNode;
  choices: readonly { label: string; onSelect: () => void }[];
}

export type RowAction = SimpleAction | ChoiceAction;

/** The actions as the narrow window's menu lists them: an action with choices becomes one entry per choice. */
function flatten(actions: readonly RowAction[]): SimpleAction[] {
  return actions.flatMap((action) =>
    'choices' in action
      ? action.choices.map((choice) => ({ label: `${action.label}, ${choice.label}`, icon: action.icon, onSelect: choice.onSelect }))
      : [action],
  );
}

/**
 * `owner` is the job or batch the row shows now. The list keys its rows by job (JobList.tsx), but a
 * row that came to show another one all the same must not show a menu opened for the one before:
 * an open menu is remembered for its owner and shows only while the row shows that owner.
 */
export function RowActions({ actions, rowName, owner }: { actions: readonly RowAction[]; rowName: string; owner: string }) {
  return (
    <>
      <span className="inline-actions">
        {actions.map((action) =>
          'choices' in action ? (
            <RowMenu
              key={action.label}
              className="choice-menu"
              trigger={{ label: action.label, icon: action.icon }}
              actions={action.choices.map((choice) => ({ label: choice.label, icon: null, onSelect: choice.onSelect }))}
              rowName={rowName}
              owner={owner}
            />
          ) : (
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
          ),
        )}
      </span>
      {actions.length > 0 ? <RowMenu className="row-menu" actions={flatten(actions)} rowName={rowName} owner={owner} /> : null}
    </>
  );
}

/** What opens a menu: "More actions" (the default) or an action with choices. */
interface MenuTrigger {
  label: string;
  icon: ReactNode;
}

function RowMenu({
  actions,
  rowName,
  owner,
  className,
  trigger,
}: {
  actions: readonly SimpleAction[];
  rowName: string;
  owner: string;
  className: string;
  trigger?: MenuTrigger;
}) {
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
    <span className={className}>
      <button
        ref={button}
        type="button"
        className="icon-button"
        aria-label={trigger ? trigger.label : `More actions for ${rowName}`}
        title={trigger ? trigger.label : 'More actions'}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen(!open)}
      >
        {trigger ? trigger.icon : <MoreIcon />}
      </button>
      {open ? (
        <div
          ref={menu}
          id={menuId}
          role="menu"
          aria-label={trigger ? `${trigger.label} for ${rowName}` : `Actions for ${rowName}`}
          className="menu"
          onKeyDown={onMenuKeyDown}
        >
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
