/** A completed upload's receipt (issue #15): readable, with buttons that copy it as text or as JSON. */
import { useActions, useFerry } from '../store/hooks.ts';
import { Dialog } from './Dialog.tsx';
import { CopyIcon } from './icons.tsx';

export function ReceiptDialog() {
  const shown = useFerry((state) => state.receiptShown);
  const actions = useActions();
  if (!shown) return null;
  return (
    <Dialog
      title={`Receipt for ${shown.name}`}
      subtitle="What was uploaded, where, how, when, and how the server's copy was verified. It holds no secret."
      size="large"
      onClose={() => actions.closeReceipt()}
      footer={
        <>
          <button type="button" className="button" onClick={() => void actions.copyToClipboard(shown.json, 'Receipt JSON')}>
            <CopyIcon /> Copy JSON
          </button>
          <div className="tool-spacer" />
          <button type="button" className="button primary" onClick={() => void actions.copyToClipboard(shown.text, 'Receipt')}>
            <CopyIcon /> Copy receipt
          </button>
        </>
      }
    >
      <pre className="receipt-text mono" aria-label="Receipt" tabIndex={0}>
        {shown.text}
      </pre>
    </Dialog>
  );
}
