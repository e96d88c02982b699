/**
 * The opt-in receipts setting (issue #15): a folder on the computer Ferry runs on where the receipt
 * of every completed upload is written as JSON. Empty: none written.
 */
import { useState } from 'react';
import { useActions, useFerry } from '../store/hooks.ts';

export function ReceiptsSetting() {
  const folder = useFerry((state) => state.settings.receiptsFolder ?? null);
  const host = useFerry((state) => state.host);
  const actions = useActions();
  const [text, setText] = useState(folder ?? '');
  const where = host?.kind === 'browser' ? 'the computer Ferry runs on' : 'this computer';
  return (
    <label className="form-row">
      <span className="form-label">Receipts folder</span>
      <input
        className="field mono"
        placeholder="none: receipts are not written"
        value={text}
        spellCheck={false}
        autoComplete="off"
        onChange={(event) => setText(event.target.value)}
        onBlur={() => {
          const next = text.trim() === '' ? null : text.trim();
          if (next !== folder) void actions.changeSettings({ receiptsFolder: next });
        }}
      />
      <span className="field-hint">
        A folder on {where} (its full path): the receipt of every completed upload is written there as JSON. Empty: none.
      </span>
    </label>
  );
}
