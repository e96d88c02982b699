/**
 * A modal sheet: labelled by its title, keeps the keyboard inside (Tab wraps), closes on Escape,
 * and gives the focus back to where it was. Nested dialogs (a confirmation inside a panel) handle
 * their own keys first.
 */
import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { createPortal } from 'react-dom';
import { CloseIcon } from './icons.tsx';

const FOCUSABLE =
  'button:not([disabled]), [href], input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * The open dialogs, newest last. Escape closes the newest wherever the focus is: a button that
 * disables itself while it works ("Test connection") drops the focus to <body>, outside every
 * dialog, and a handler on the dialog alone then never hears the key.
 */
const openDialogs: { panel: RefObject<HTMLDivElement | null>; close: RefObject<() => void> }[] = [];

function onDocumentKeyDown(event: globalThis.KeyboardEvent) {
  const top = openDialogs.at(-1);
  const panel = top?.panel.current;
  if (!top || !panel || event.defaultPrevented) return;
  if (panel.contains(event.target as Node)) return; // the dialog's own handler decides
  if (event.key === 'Escape') {
    event.preventDefault();
    top.close.current();
  } else if (event.key === 'Tab') {
    // the focus fell out of the dialog: back into it
    event.preventDefault();
    (panel.querySelector<HTMLElement>(FOCUSABLE) ?? panel).focus();
  }
}

export interface DialogProps {
  title: string;
  /** A line under the title. */
  subtitle?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  size?: 'small' | 'medium' | 'large';
  /** alertdialog for confirmations. */
  role?: 'dialog' | 'alertdialog';
  /** What gets the focus first; else the first field or button of the body. */
  initialFocus?: RefObject<HTMLElement | null>;
  /** A close button in the title bar (panels; confirmations have Cancel instead). */
  closeButton?: boolean;
}

export function Dialog({
  title,
  subtitle,
  onClose,
  children,
  footer,
  size = 'medium',
  role = 'dialog',
  initialFocus,
  closeButton = true,
}: DialogProps) {
  const titleId = useId();
  const panel = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  });

  useEffect(() => {
    const entry = { panel, close };
    openDialogs.push(entry);
    if (openDialogs.length === 1) document.addEventListener('keydown', onDocumentKeyDown);
    return () => {
      openDialogs.splice(openDialogs.indexOf(entry), 1);
      if (openDialogs.length === 0) document.removeEventListener('keydown', onDocumentKeyDown);
    };
  }, []);

  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const body = panel.current?.querySelector('.dialog-body');
    const target = initialFocus?.current ?? body?.querySelector<HTMLElement>(FOCUSABLE) ?? panel.current;
    target?.focus();
    return () => {
      if (before && before.isConnected) before.focus();
    };
  }, [initialFocus]);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Escape') {
      event.stopPropagation();
      event.preventDefault();
      close.current();
      return;
    }
    if (event.key !== 'Tab' || !panel.current) return;
    event.stopPropagation();
    const items = Array.from(panel.current.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
      (element) => !element.closest('[inert]') && element.closest('[role="dialog"],[role="alertdialog"]') === panel.current,
    );
    if (items.length === 0) return;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    if (event.shiftKey && (document.activeElement === first || document.activeElement === panel.current)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  return createPortal(
    <div
      className="backdrop"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) close.current();
      }}
    >
      <div
        ref={panel}
        className={`dialog dialog-${size}`}
        role={role}
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <header className="dialog-header">
          <div>
            <h2 id={titleId} className="dialog-title">
              {title}
            </h2>
            {subtitle ? <div className="dialog-subtitle">{subtitle}</div> : null}
          </div>
          {closeButton ? (
            <button type="button" className="icon-button" aria-label="Close" title="Close" onClick={() => close.current()}>
              <CloseIcon />
            </button>
          ) : null}
        </header>
        <div className="dialog-body">{children}</div>
        {footer ? <footer className="dialog-footer">{footer}</footer> : null}
      </div>
    </div>,
    document.body,
  );
}

export interface ConfirmProps {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  /** A destructive action is drawn in red and Cancel gets the focus. */
  destructive?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/** "Abort 3 uploads?" with the consequences in words, and two buttons. */
export function ConfirmDialog({ title, message, confirmLabel, destructive = true, onConfirm, onCancel }: ConfirmProps) {
  const cancel = useRef<HTMLButtonElement>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  return (
    <Dialog
      title={title}
      role="alertdialog"
      size="small"
      onClose={onCancel}
      closeButton={false}
      initialFocus={destructive ? cancel : confirm}
      footer={
        <>
          <button ref={cancel} type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button ref={confirm} type="button" className={destructive ? 'button danger' : 'button primary'} onClick={onConfirm}>
            {confirmLabel}
          </button>
        </>
      }
    >
      <div className="confirm-message">{message}</div>
    </Dialog>
  );
}
