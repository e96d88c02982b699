/**
 * One setting typed as text (Settings: bandwidth limit, counts, part size, receipts folder): read as
 * it is typed, saved when the field is left if it is valid and changed; an invalid one says why in
 * place of the hint and is not saved.
 */
import { useId, useState, type InputHTMLAttributes, type ReactNode } from 'react';

/** What a setting's text means: its value, or why it is not one. */
export type SettingRead<T> = { value: T } | { problem: string };

export function SettingField<T>({
  label,
  hint,
  value,
  text: initialText,
  read,
  onChange,
  input,
}: {
  label: string;
  hint: ReactNode;
  value: T;
  /** The text first shown for `value`. */
  text: string;
  read: (text: string) => SettingRead<T>;
  onChange: (value: T) => void;
  /** The input's look and kind: className (default "field"), placeholder, type, min, max... */
  input?: InputHTMLAttributes<HTMLInputElement>;
}) {
  const [text, setText] = useState(initialText);
  const hintId = useId();
  const meaning = read(text);
  const problem = 'problem' in meaning ? meaning.problem : null;
  return (
    <label className="form-row">
      <span className="form-label">{label}</span>
      <input
        className="field"
        {...input}
        value={text}
        aria-invalid={problem ? true : undefined}
        aria-describedby={hintId}
        onChange={(event) => setText(event.target.value)}
        onBlur={() => {
          if ('value' in meaning && meaning.value !== value) onChange(meaning.value);
        }}
      />
      <span id={hintId} className="field-hint">
        {problem ?? hint}
      </span>
    </label>
  );
}
