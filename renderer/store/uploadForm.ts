/**
 * The Options form of the next drop (issue #12), pure: its fields, its metadata and tag rows, and
 * the endpoint's defaults under them. When the destination's endpoint changes, its defaults fill the
 * fields the person has not edited; an edit wins. The rows are checked by the CLI's rules
 * (shared/uploadOptions.ts); a drop with a problem in them is refused in words, never sent without them.
 */
import { keyValueProblems, type EndpointDefaults, type UploadOptions } from '../../shared/uploadOptions.ts';

export interface KeyValueRow {
  /** Stable across edits (React's key). */
  id: number;
  key: string;
  value: string;
}

export type RowKind = 'metadata' | 'tags';

/** The form's one-value fields (metadata and tags are rows). */
export type FieldName = Exclude<keyof UploadOptions, 'metadata' | 'tags' | 'sseC'>;

export interface UploadForm {
  /** What the fields show: the endpoint's defaults, with the person's edits over them. */
  fields: Omit<UploadOptions, 'metadata' | 'tags' | 'sseC'>;
  /** The fields the person changed: another endpoint's defaults leave them as they are. */
  edited: ReadonlySet<FieldName>;
  metadata: readonly KeyValueRow[];
  tags: readonly KeyValueRow[];
}

export const EMPTY_FORM: UploadForm = { fields: {}, edited: new Set(), metadata: [], tags: [] };

const DEFAULT_FIELDS = ['storageClass', 'sse', 'sseKmsKeyId', 'acl', 'cacheControl', 'ifExists'] as const satisfies readonly FieldName[];

/** The endpoint's defaults in every field the person has not edited (a field it has no default for is emptied). */
export function fillDefaults(form: UploadForm, defaults: EndpointDefaults | undefined): UploadForm {
  const fields: UploadForm['fields'] = { ...form.fields };
  for (const name of DEFAULT_FIELDS) {
    if (form.edited.has(name)) continue;
    const value = defaults?.[name];
    if (value === undefined) delete fields[name];
    else (fields as Record<string, unknown>)[name] = value;
  }
  // a KMS key id means nothing without aws:kms (the person chose another encryption)
  if (fields.sse !== 'aws:kms') delete fields.sseKmsKeyId;
  return { ...form, fields };
}

/** Sets (or with '' empties) one field, as the person's edit. */
export function editField<K extends FieldName>(form: UploadForm, name: K, value: UploadOptions[K] | ''): UploadForm {
  const fields: UploadForm['fields'] = { ...form.fields };
  if (value === '' || value === undefined) delete fields[name];
  else fields[name] = value as UploadForm['fields'][K];
  const edited = new Set(form.edited).add(name);
  if (name === 'sse' && value !== 'aws:kms') {
    delete fields.sseKmsKeyId;
    edited.add('sseKmsKeyId');
  }
  return { ...form, fields, edited };
}

/** Rows with a key or a value (a fresh empty row is not an option yet). */
function filled(rows: readonly KeyValueRow[]): KeyValueRow[] {
  return rows.filter((row) => row.key !== '' || row.value !== '');
}

/** Each row's problem in words (null: fine; an empty row has none), and the whole set's. */
export function rowProblems(kind: RowKind, rows: readonly KeyValueRow[]): { byRow: Map<number, string>; all: string | null } {
  const given = filled(rows);
  const { each, all } = keyValueProblems(
    kind,
    given.map((row) => [row.key, row.value] as const),
  );
  const byRow = new Map<number, string>();
  given.forEach((row, index) => {
    const problem = each[index];
    if (problem) byRow.set(row.id, problem);
  });
  return { byRow, all };
}

/** The options the next drop is sent with, or the first problem of the rows in words. */
export function formOptions(form: UploadForm): { options: UploadOptions; problem: null } | { options: null; problem: string } {
  const options: UploadOptions = { ...form.fields };
  for (const kind of ['metadata', 'tags'] as const) {
    const rows = filled(form[kind]);
    if (rows.length === 0) continue;
    const { byRow, all } = rowProblems(kind, rows);
    const problem = byRow.values().next().value ?? all;
    if (problem) return { options: null, problem: `${kind === 'metadata' ? 'Metadata' : 'Tags'}: ${problem}` };
    options[kind] = Object.fromEntries(rows.map((row) => [row.key, row.value]));
  }
  return { options, problem: null };
}
