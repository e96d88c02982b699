/**
 * The opt-in receipts setting (issue #15): a folder on the computer Ferry runs on where the receipt
 * of every completed upload is written as JSON. Empty: none written.
 */
import { useActions, useFerry } from '../store/hooks.ts';
import { SettingField } from './SettingField.tsx';

export function ReceiptsSetting() {
  const folder = useFerry((state) => state.settings.receiptsFolder ?? null);
  const host = useFerry((state) => state.host);
  const actions = useActions();
  const where = host?.kind === 'browser' ? 'the computer Ferry runs on' : 'this computer';
  return (
    <SettingField
      label="Receipts folder"
      hint={`A folder on ${where} (its full path): the receipt of every completed upload is written there as JSON. Empty: none.`}
      value={folder}
      text={folder ?? ''}
      read={(text) => ({ value: text.trim() === '' ? null : text.trim() })}
      onChange={(receiptsFolder) => void actions.changeSettings({ receiptsFolder })}
      input={{ className: 'field mono', placeholder: 'none: receipts are not written', spellCheck: false, autoComplete: 'off' }}
    />
  );
}
